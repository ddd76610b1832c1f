/** Slack's published message limits, checked the way the real API refuses (`invalid_blocks`, `msg_too_long`), independently of bot/slack. */
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function textObject(where: string, v: unknown, max: number, errors: string[], plainOnly = false): void {
  if (!isObj(v) || (v.type !== 'plain_text' && v.type !== 'mrkdwn') || typeof v.text !== 'string') return void errors.push(`${where}: must be a text object`);
  if (plainOnly && v.type !== 'plain_text') errors.push(`${where}: must be plain_text`);
  if (v.text.length === 0) errors.push(`${where}: must not be empty`);
  if (v.text.length > max) errors.push(`${where}: must be less than ${max + 1} characters`);
}

function button(where: string, b: unknown, errors: string[]): void {
  if (!isObj(b) || b.type !== 'button') return void errors.push(`${where}: unsupported element`);
  textObject(`${where}.text`, b.text, 75, errors, true);
  if (typeof b.action_id === 'string' && b.action_id.length > 255) errors.push(`${where}.action_id: too long`);
  if (typeof b.value === 'string' && b.value.length > 2000) errors.push(`${where}.value: too long`);
  if (typeof b.url === 'string' && b.url.length > 3000) errors.push(`${where}.url: too long`);
  if (b.style !== undefined && b.style !== 'primary' && b.style !== 'danger') errors.push(`${where}.style: must be primary or danger`);
  if (b.confirm !== undefined) {
    const c = b.confirm;
    if (!isObj(c)) return void errors.push(`${where}.confirm: must be an object`);
    textObject(`${where}.confirm.title`, c.title, 100, errors, true);
    textObject(`${where}.confirm.text`, c.text, 300, errors);
    textObject(`${where}.confirm.confirm`, c.confirm, 30, errors, true);
    textObject(`${where}.confirm.deny`, c.deny, 30, errors, true);
  }
}

/** Every reason Slack would refuse these blocks (empty when they are valid). */
export function blockErrors(blocks: unknown): string[] {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks: must be an array'];
  if (blocks.length > 50) errors.push(`blocks: must have no more than 50 items (${blocks.length})`);
  const ids = new Set<string>();
  blocks.forEach((b, i) => {
    const at = `blocks[${i}]`;
    if (!isObj(b)) return void errors.push(`${at}: must be an object`);
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > 255) errors.push(`${at}.block_id: too long`);
      if (ids.has(b.block_id)) errors.push(`${at}.block_id: duplicate`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        return textObject(`${at}.text`, b.text, 150, errors, true);
      case 'divider':
        return;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) return void errors.push(`${at}: needs text or fields`);
        if (b.text !== undefined) textObject(`${at}.text`, b.text, 3000, errors);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length === 0 || b.fields.length > 10) errors.push(`${at}.fields: must have 1 to 10 items`);
          else b.fields.forEach((f, j) => textObject(`${at}.fields[${j}]`, f, 2000, errors));
        }
        if (b.accessory !== undefined) button(`${at}.accessory`, b.accessory, errors);
        return;
      }
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) return void errors.push(`${at}.elements: must have 1 to 10 items`);
        return b.elements.forEach((e, j) => textObject(`${at}.elements[${j}]`, e, 3000, errors));
      }
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25) return void errors.push(`${at}.elements: must have 1 to 25 items`);
        return b.elements.forEach((e, j) => button(`${at}.elements[${j}]`, e, errors));
      }
      default:
        errors.push(`${at}.type: unsupported block type ${String(b.type)}`);
    }
  });
  return errors;
}

/** Form fields (objects JSON-encoded, as the WebClient sends them) or a JSON body. */
export function parseArgs(contentType: string | undefined, raw: string): Json {
  if ((contentType ?? '').startsWith('application/json')) return JSON.parse(raw || '{}') as Json;
  const args: Json = Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'attachments', 'metadata']) {
    if (typeof args[key] === 'string') {
      try {
        args[key] = JSON.parse(args[key]);
      } catch {
        args[key] = 'unparseable';
      }
    }
  }
  return args;
}

/** Why Slack would refuse this message: no content, text over 40,000 characters, or invalid blocks. */
export function messageRefusal(a: Json): { error: string; extra: Json } | null {
  const text = typeof a.text === 'string' ? a.text : '';
  if (!text && a.blocks === undefined) return { error: 'no_text', extra: {} };
  if (text.length > 40_000) return { error: 'msg_too_long', extra: {} };
  if (a.blocks !== undefined) {
    const errors = blockErrors(a.blocks);
    if (errors.length > 0) return { error: 'invalid_blocks', extra: { errors } };
  }
  return null;
}
