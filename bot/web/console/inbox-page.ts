import type { InboxEntry } from '../../../core/model/inbox-entry.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, csrfField, type Viewer } from './console-layout.js';
import { formatUtc } from './console-format.js';

/** Entries per inbox page. */
export const INBOX_PER_PAGE = 50;

/** The Inbox: every alert, reminder and digest for this admin, newest first; unread ones marked in text too. */
export function renderInboxPage(viewer: Viewer, entries: InboxEntry[], total: number, page: number): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / INBOX_PER_PAGE));
  return consoleLayout('Inbox', 'inbox', viewer, html`<h1>Inbox</h1>
<p class="muted">Every alert, reminder and digest for you, newest first (${total} in all${viewer.unread ? `, ${viewer.unread} unread` : ''}). The console inbox always receives every alert, whatever other channels are configured.</p>
${viewer.unread > 0 ? html`<form method="post" action="/console/inbox">${csrfField(viewer.csrf)}<button type="submit" class="secondary">Mark all as read</button></form>` : ''}
${entries.length === 0 ? html`<p>Your inbox is empty.</p>` : html`<ul class="inbox">${entries.map((e) => html`<li class="${e.readAt ? 'read' : 'unread'}">
<h2>${e.readAt ? '' : html`<span class="badge info">new</span> `}${e.message.title}</h2>
<p class="muted">${formatUtc(e.resolvedAt ?? e.createdAt)}${e.resolution ? html` — <span class="badge ok">resolved</span> ${e.resolution}` : ''}</p>
${e.message.facts.length ? html`<details><summary>Details</summary><dl class="facts">${e.message.facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></details>` : ''}
${e.requestId ? html`<p><a href="/console/requests/${e.requestId}">${e.actionable ? 'Review and decide' : 'Open the request'}</a></p>` : ''}
</li>`)}</ul>`}
${pages > 1 ? html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a href="/console/inbox?page=${page - 1}" rel="prev">Newer</a>` : ''}<span>Page ${page} of ${pages}</span>${page < pages ? html`<a href="/console/inbox?page=${page + 1}" rel="next">Older</a>` : ''}</nav>` : ''}`);
}
