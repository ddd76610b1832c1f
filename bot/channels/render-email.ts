import type { AlertMessage, MessageAction } from '../../core/model/outbox-message.js';

/** Who the e-mail is for and where dualkey lives; `followUp` renders the short "Resolved" note sent after a decision. */
export interface EmailRenderContext {
  recipientEmail: string;
  publicUrl?: string | undefined;
  followUp?: boolean;
}

/** The chat and CLI commands that do what a button would (e-mail has no buttons); the CLI acts with the admin's own token. */
function commandsFor(action: MessageAction, _recipientEmail: string): { slack: string; cli: string } {
  return { slack: `/dualkey ${action.id} ${action.requestId}`, cli: `dualkey ${action.id} ${action.requestId} --token-file <your CLI token file>` };
}

/** "Review in dualkey": the request's console page (it shows the request; deciding needs a signed-in click there). */
function reviewUrl(message: AlertMessage, publicUrl: string | undefined): string | null {
  return message.requestId && publicUrl ? `${publicUrl.replace(/\/$/, '')}/console/requests/${encodeURIComponent(message.requestId)}` : null;
}

function resolvedLine(message: AlertMessage): string {
  return `Resolved: ${message.status ?? message.title}`;
}

/** The plain-text body: title, facts as aligned lines, then what to type to act. */
export function renderEmailText(message: AlertMessage, ctx: EmailRenderContext): string {
  const lines: string[] = [];
  if (ctx.followUp) lines.push(resolvedLine(message), '');
  lines.push(message.title, '');
  const width = Math.max(0, ...message.facts.map(([label]) => label.length)) + 1;
  for (const [label, value] of message.facts) lines.push(`${`${label}:`.padEnd(width)}  ${value}`);
  if (!ctx.followUp && message.status) lines.push('', `Status: ${message.status}`);
  if (message.actions.length > 0) {
    lines.push('', 'To act (e-mail has no buttons), use chat or the dualkey CLI:');
    for (const action of message.actions) {
      const c = commandsFor(action, ctx.recipientEmail);
      lines.push(`- ${action.label}: ${c.slack}  or  ${c.cli}`);
      if (action.confirm) lines.push(`  ${action.confirm}`);
    }
    const first = message.actions[0]!;
    lines.push(`In Microsoft Teams, send the same words to the dualkey bot (e.g. "${first.id} ${first.requestId}").`);
  }
  const review = reviewUrl(message, ctx.publicUrl);
  if (review) lines.push('', `Review in dualkey: ${review}`);
  lines.push('', '-- ', footer(ctx.publicUrl));
  return `${lines.join('\n')}\n`;
}

/** The HTML body: the same content, facts as a table; every value is escaped. */
export function renderEmailHtml(message: AlertMessage, ctx: EmailRenderContext): string {
  const parts: string[] = ['<!doctype html>', '<html><body style="font-family: sans-serif; font-size: 14px; color: #1d1c1d">'];
  if (ctx.followUp) parts.push(`<p><strong>${esc(resolvedLine(message))}</strong></p>`);
  parts.push(`<h2 style="font-size: 16px">${esc(message.title)}</h2>`);
  if (message.facts.length > 0) {
    parts.push('<table style="border-collapse: collapse">');
    for (const [label, value] of message.facts) {
      parts.push(`<tr><th style="text-align: left; padding: 2px 12px 2px 0; vertical-align: top">${esc(label)}</th><td style="padding: 2px 0">${esc(value)}</td></tr>`);
    }
    parts.push('</table>');
  }
  if (!ctx.followUp && message.status) parts.push(`<p>Status: ${esc(message.status)}</p>`);
  if (message.actions.length > 0) {
    parts.push('<p>To act (e-mail has no buttons), use chat or the dualkey CLI:</p>', '<ul>');
    for (const action of message.actions) {
      const c = commandsFor(action, ctx.recipientEmail);
      const warning = action.confirm ? `<br><em>${esc(action.confirm)}</em>` : '';
      parts.push(`<li><strong>${esc(action.label)}</strong>: <code>${esc(c.slack)}</code> or <code>${esc(c.cli)}</code>${warning}</li>`);
    }
    const first = message.actions[0]!;
    parts.push('</ul>', `<p>In Microsoft Teams, send the same words to the dualkey bot (e.g. <code>${esc(`${first.id} ${first.requestId}`)}</code>).</p>`);
  }
  const review = reviewUrl(message, ctx.publicUrl);
  if (review) parts.push(`<p><a href="${esc(review)}">Review in dualkey</a></p>`);
  parts.push(`<p style="color: #616061; font-size: 12px">${esc(footer(ctx.publicUrl))}</p>`, '</body></html>');
  return `${parts.join('\n')}\n`;
}

function footer(publicUrl: string | undefined): string {
  const where = publicUrl ? ` (${publicUrl})` : '';
  return `Sent by dualkey${where} to every administrator of your organisation.`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
function esc(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}
