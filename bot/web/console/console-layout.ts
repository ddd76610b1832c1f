import type { Admin } from '../../../core/model/admin.js';
import { html, type HtmlValue, type SafeHtml } from '../pages/html.js';

/** The console's sections, in navigation order. */
export type Section = 'instances' | 'requests' | 'inbox' | 'audit' | 'admins' | 'settings' | 'tokens' | 'passkeys' | 'none';

/** Who is signed in, for the header: the admin, their unread count and the session's form token. */
export interface Viewer {
  admin: Admin;
  unread: number;
  csrf: string;
}

const NAV: Array<[Section, string, string]> = [
  ['instances', 'Instances', '/console/'],
  ['requests', 'Requests', '/console/requests'],
  ['inbox', 'Inbox', '/console/inbox'],
  ['audit', 'Audit', '/console/audit'],
  ['admins', 'Admins', '/console/admins'],
  ['settings', 'Settings', '/console/settings'],
  ['tokens', 'CLI tokens', '/console/tokens'],
  ['passkeys', 'Passkeys', '/console/passkeys'],
];

/** The hidden field every console form carries (the session's synchronizer token). */
export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/** A notice box: `ok`, a refusal with its code, or a warning. Refusals are announced to screen readers. */
export function notice(kind: 'ok' | 'bad' | 'warn', text: HtmlValue, code: string | null = null): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === 'ok' ? 'status' : 'alert'}"><p>${code ? html`<strong>Refused (<code>${code}</code>)</strong>: ` : ''}${text}</p></div>`;
}

/** The frame of every console page: skip link, header with navigation and unread count, sign-out; no scripts (the WebAuthn ceremony pages add the console's own two). */
export function consoleLayout(title: string, section: Section, viewer: Viewer | null, content: SafeHtml): SafeHtml {
  const nav = viewer
    ? html`<nav aria-label="Console"><ul>${NAV.map(([id, label, href]) => html`<li><a href="${href}"${id === section ? html` aria-current="page"` : ''}>${label}${id === 'inbox' && viewer.unread > 0 ? html` <span class="count" aria-label="${viewer.unread} unread">${viewer.unread}</span>` : ''}</a></li>`)}</ul></nav>
<div class="who"><span>${viewer.admin.name} &lt;${viewer.admin.email}&gt;</span><form method="post" action="/console/sign-out">${csrfField(viewer.csrf)}<button class="link" type="submit">Sign out</button></form></div>`
    : '';
  return html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${title} — dualkey console</title>
<link rel="stylesheet" href="/console/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="bar"><a class="brand" href="/console/">dualkey</a>${nav}</div></header>
<main id="main">
${content}
</main>
<footer class="foot">Every key change and lock needs a second administrator. Every administrator is alerted of every change.</footer>
</body>
</html>
`;
}
