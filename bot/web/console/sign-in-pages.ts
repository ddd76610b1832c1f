import type { Admin } from '../../../core/model/admin.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, notice } from './console-layout.js';

const HOW = html`<ul><li>In Slack: <code>/dualkey console</code></li><li>In Microsoft Teams: send <code>console</code> to the dualkey bot</li></ul>`;

/** The page for visitors without a session: how to get a sign-in link (and the e-mail form when SMTP is configured). */
export function renderSignInNeeded(opts: { emailSignIn: boolean; continueTo: string | null; banner: SafeHtml | null }): SafeHtml {
  return consoleLayout('Sign in', 'none', null, html`<h1>Sign in to the dualkey console</h1>
${opts.banner}
<p>The console has no passwords: you sign in with a one-time link that works once, for you only, for 10 minutes. Ask dualkey for one:</p>
${HOW}
${opts.emailSignIn ? html`<section class="panel" aria-labelledby="mail-h"><h2 id="mail-h">Or get a link by e-mail</h2>
<form method="post" action="/console/sign-in"><label for="email">Your e-mail address</label><input id="email" type="email" name="email" required autocomplete="email">
<p><button type="submit">Send me a sign-in link</button></p></form></section>` : ''}
${opts.continueTo ? html`<p>Already signed in in this browser? <a href="${opts.continueTo}">Continue to the page you asked for</a>.</p>` : ''}`);
}

/** What the e-mail form answers, whether or not the address belongs to an admin. */
export function renderLinkSent(): SafeHtml {
  return consoleLayout('Check your e-mail', 'none', null, html`<h1>Check your e-mail</h1>
${notice('ok', 'If that address belongs to an administrator, a sign-in link is on its way. It works once, for 10 minutes.')}`);
}

/** The sign-in link's page: it names the admin and signs in only on the button (link previews must not use it up). */
export function renderSignInConfirm(admin: Admin): SafeHtml {
  return consoleLayout('Sign in', 'none', null, html`<h1>Sign in as ${admin.name}</h1>
<p>This one-time link signs <strong>${admin.name} &lt;${admin.email}&gt;</strong> in to the dualkey console in this browser.</p>
<form method="post"><button type="submit">Sign in</button></form>
<p class="muted">If you did not ask for this link, close this page: nothing happens until you press the button.</p>`);
}

/** A dead sign-in link or another refusal before any session exists. */
export function renderSignInRefused(code: string, message: string): SafeHtml {
  return consoleLayout('Sign-in refused', 'none', null, html`<h1>This sign-in link does not work</h1>
${notice('bad', message, code)}
<p>Ask dualkey for a new link:</p>${HOW}`);
}
