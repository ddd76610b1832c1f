/** A neutral reply every chat transport renders (Slack Block Kit, Teams Adaptive Card or text). */
export interface ChatReply {
  kind: 'ok' | 'refusal' | 'usage';
  /** The stable refusal code, when refused. */
  code?: string;
  title: string;
  lines: string[];
  fields: Array<[label: string, value: string]>;
  /** A preformatted block (a public key PEM). */
  code_block?: string;
  /** A one-time link to a secrets page. */
  link?: { url: string; label: string; expiresAt: Date };
}

/** A plain-text rendering (fallback text, logs of replies in tests, Teams text replies). */
export function replyText(reply: ChatReply): string {
  return [
    reply.title,
    ...reply.lines,
    ...reply.fields.map(([k, v]) => `${k}: ${v}`),
    ...(reply.code_block ? [reply.code_block] : []),
    ...(reply.link ? [`${reply.link.label}: ${reply.link.url} (expires ${reply.link.expiresAt.toISOString().slice(11, 16)} UTC)`] : []),
  ].join('\n');
}
