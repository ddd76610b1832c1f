/** Slack's Block Kit and message limits (docs.slack.dev/reference/block-kit), and helpers that keep every message inside them. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  messageText: 40_000,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  contextElements: 10,
} as const;

/** A Block Kit block, as JSON. */
export type Block = { type: string } & Record<string, unknown>;

/** Escapes text for mrkdwn: Slack reads `&`, `<` and `>` as markup (links, mentions, @channel). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to at most `max` characters with an ellipsis, never splitting a surrogate pair or an escaped entity. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/&[a-z]{0,3}$/, '')}…`;
}

/** A plain_text object. */
export function plain(text: string, max: number): { type: 'plain_text'; text: string; emoji: boolean } {
  return { type: 'plain_text', text: truncate(text || ' ', max), emoji: true };
}

/** A mrkdwn object (the caller escapes user text). */
export function mrkdwn(text: string, max: number = LIMITS.sectionText): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: truncate(text || ' ', max) };
}

/** A section of mrkdwn text. */
export function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text) };
}

/** A context line of mrkdwn text. */
export function context(text: string): Block {
  return { type: 'context', elements: [mrkdwn(text)] };
}

/** Lines packed into as few sections as fit (≤ 3000 characters each; a longer line is cut). */
export function lineSections(lines: string[]): Block[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, LIMITS.sectionText);
    if (current && current.length + 1 + line.length > LIMITS.sectionText) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) chunks.push(current);
  return chunks.map(section);
}

/** Label/value pairs: a two-column grid when they fit one section (≤ 10 short fields), else one line each. */
export function factBlocks(facts: Array<[string, string]>): Block[] {
  if (facts.length === 0) return [];
  const asField = ([label, value]: [string, string]) => `*${escapeMrkdwn(label.trim())}*\n${escapeMrkdwn(value)}`;
  if (facts.length <= LIMITS.fields && facts.every((f) => asField(f).length <= LIMITS.fieldText)) {
    return [{ type: 'section', fields: facts.map((f) => mrkdwn(asField(f), LIMITS.fieldText)) }];
  }
  return lineSections(facts.map(([label, value]) => {
    const indent = /^\s/.test(label) ? '    • ' : '';
    return `${indent}*${escapeMrkdwn(label.trim())}*${value ? `: ${escapeMrkdwn(value)}` : ''}`;
  }));
}

/** A readable message: beyond about this many characters of blocks, a list is cut and points to the CLI. */
export const READABLE_CHARS = 12_000;

/**
 * At most 50 blocks and about 12,000 characters: a longer message is cut and ends with `pointer` (what
 * to run in the `dualkey` CLI for the whole list); action blocks at the end are always kept.
 */
export function capBlocks(blocks: Block[], pointer: string, budget: number = READABLE_CHARS): Block[] {
  const size = (b: Block) => JSON.stringify(b).length;
  const total = blocks.reduce((n, b) => n + size(b), 0);
  if (blocks.length <= LIMITS.blocks && total <= budget) return blocks;
  const tail = blocks.filter((b) => b.type === 'actions');
  const body = blocks.filter((b) => b.type !== 'actions');
  const kept: Block[] = [];
  let used = tail.reduce((n, b) => n + size(b), 0);
  for (const b of body) {
    if (kept.length >= LIMITS.blocks - tail.length - 1 || (kept.length > 0 && used + size(b) > budget)) break;
    kept.push(b);
    used += size(b);
  }
  return [...kept, context(`This list is cut short here. ${pointer}`), ...tail];
}

/** The notification/fallback text of a message (escaped), inside Slack's 40,000-character limit. */
export function fallbackText(lines: string[]): string {
  return truncate(escapeMrkdwn(lines.filter(Boolean).join('\n')), LIMITS.messageText);
}
