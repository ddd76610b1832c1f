import { formatUtc } from '../../../core/alerts/alert-messages.js';
import { MIN_PFX_PASSWORD_LENGTH } from '../../../core/lifecycle/key-change.js';
import { html, type SafeHtml } from './html.js';
import { CSRF_FIELD } from './page-csrf.js';
import type { FormView, PageNotice } from './page-view.js';
import { renderLayout } from './render-layout.js';
import { ceremonyFill } from '../console/webauthn-assets.js';

/** The warning a generated key always comes with (DESIGN §3: delivered once). */
export const SAVE_KEY_WARNING = 'Save the key file somewhere safe: dualkey keeps no copy and cannot give it to you again.';

const TITLES = { key_new: 'Generate a new key', key_upload: 'Upload your key', lock: 'Lock', unlock: 'Unlock', cli_token: 'Create your CLI token' } as const;

const keyFileField = (accept: string, hint: string) => html`
<label for="keyfile">Key file <small>${hint}</small></label>
<input id="keyfile" name="keyfile" type="file" accept="${accept}" required>`;

const passwordField = (label: string, hint: string, required: boolean) => html`
<label for="password">${label} <small>${hint}</small></label>
<input id="password" name="password" type="password" autocomplete="off"${required ? html` required` : ''}>`;

function fields(v: FormView): { intro: SafeHtml; inputs: SafeHtml; button: SafeHtml } {
  const instance = v.page.instanceName;
  switch (v.page.operation) {
    case 'key_new':
      return {
        intro: html`<p>dualkey generates an RSA 2048 key, makes it protect <strong>${instance}</strong> at once, and your browser downloads it
as a password-protected PFX file. Every admin is alerted; another admin must approve the change (or roll it back) before its review deadline.</p>
<p class="warning"><strong>${SAVE_KEY_WARNING}</strong> You need this file and its password to unlock ${instance} if it is ever locked.</p>`,
        inputs: html`
<label for="password">Password for the key file <small>(at least ${MIN_PFX_PASSWORD_LENGTH} characters)</small></label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PFX_PASSWORD_LENGTH}" required>
<label for="password2">Type the password again</label>
<input id="password2" name="password2" type="password" autocomplete="new-password" minlength="${MIN_PFX_PASSWORD_LENGTH}" required>
<label for="keyName">Key name <small>(optional; default "${instance} Encryption Key")</small></label>
<input id="keyName" name="keyName" type="text" maxlength="100" autocomplete="off">`,
        button: html`<button type="submit">Generate and download the key</button>`,
      };
    case 'key_upload':
      return {
        intro: html`<p>Upload the key that will protect <strong>${instance}</strong>: a password-protected PFX / PKCS#12 file (RSA 2048 bits or more),
or a <code>.byok</code> file exported from your HSM for this tenant's key-exchange key. Every admin is alerted; another admin must approve the change
(or roll it back) before its review deadline.</p>
${v.kek ? html`<p>For BYOK: key-exchange key (KEK) id <code>${v.kek.kekId}</code> — <a href="${v.token}/kek.pem" download>download the KEK public key (PEM)</a>.</p>` : ''}`,
        inputs: html`${keyFileField('.pfx,.p12,.byok', '(.pfx, .p12 or .byok, at most 64 KiB)')}${passwordField('Password', '(of the PFX; leave empty for a .byok file)', false)}`,
        button: html`<button type="submit">Upload the key</button>`,
      };
    case 'lock':
      return {
        intro: html`<div class="danger-box"><p><strong>Locking takes ${instance} completely offline.</strong> Once a second admin approves, dualkey destroys
every copy of the key it holds: nobody — the operator included — can read ${instance}'s data, and it cannot be restored from a backup.
Only this key file and its password can unlock it. If they are lost, the data is gone for good.</p>
<p>Nothing changes until another admin approves; every admin is alerted now.</p></div>`,
        inputs: html`
<label for="confirm">Type the instance name to confirm <small>(${instance})</small></label>
<input id="confirm" name="confirm" type="text" autocomplete="off" spellcheck="false" required>
${keyFileField('.pfx,.p12,.byok', '(the file of the key protecting this instance now)')}${passwordField('Password', '(of the PFX)', false)}`,
        button: html`<button type="submit" class="danger">Request the lock</button>`,
      };
    case 'cli_token':
      return {
        intro: html`<p>A personal CLI token lets <strong>${v.admin.name}</strong> run admin commands with the operator CLI as themselves:
<code>dualkey --token-file &lt;file&gt; …</code>. It acts with your rights (approvals, locks, key changes), so keep it like a password.
It is shown once on the next page; dualkey stores only its hash. Revoke it any time in the console (CLI tokens).</p>`,
        inputs: html`
<label for="label">Label <small>(so you recognise it later, e.g. "laptop"; at most 60 characters)</small></label>
<input id="label" name="label" type="text" maxlength="60" autocomplete="off">`,
        button: html`<button type="submit">Create the token</button>`,
      };
    case 'unlock':
      return {
        intro: html`<p>Present the key file <strong>${instance}</strong> was locked with, and its password. dualkey checks that every data key
opens with it, then ${instance} is active again and every admin is alerted.</p>`,
        inputs: html`${keyFileField('.pfx,.p12,.byok', '(the file of the key the instance was locked with)')}${passwordField('Password', '(of the PFX)', false)}`,
        button: html`<button type="submit">Unlock ${instance}</button>`,
      };
  }
}

/** A refusal above the form: code, message, and how many attempts the link has left. */
export function renderNotice(n: PageNotice): SafeHtml {
  return html`<div class="refusal" role="alert"><p><strong>Refused (<code>${n.code}</code>):</strong> ${n.message}</p>
${n.attemptsLeft !== null ? html`<p>${n.attemptsLeft} attempt${n.attemptsLeft === 1 ? '' : 's'} left on this link.</p>` : ''}</div>`;
}

/** The form of a one-time page, per operation: what it does, the instance, the admin, the link's expiry. */
export function renderFormPage(v: FormView): SafeHtml {
  const f = fields(v);
  const ceremony = v.stepUp ? ceremonyFill(v.stepUp, 'Confirm with your passkey') : null;
  const title = v.page.instanceName ? `${TITLES[v.page.operation]} — ${v.page.instanceName}` : TITLES[v.page.operation];
  return renderLayout(title, html`<h1>${title}</h1>
<dl>${v.page.instanceName ? html`<dt>Instance</dt><dd>${v.page.instanceName}</dd>` : ''}<dt>Admin</dt><dd>${v.admin.name} &lt;${v.admin.email}&gt;</dd><dt>Link expires</dt><dd>${formatUtc(v.page.expiresAt)}</dd></dl>
${v.notice ? renderNotice(v.notice) : ''}
${f.intro}
${ceremony ? html`<p>This tenant requires your passkey to unlock. Confirm with it first (the confirmation is valid for five minutes, once), then present the key file.</p>${ceremony.before}` : ''}
<form method="post" enctype="multipart/form-data" autocomplete="off">
<input type="hidden" name="${CSRF_FIELD}" value="${v.csrf}">
${ceremony ? ceremony.field : ''}
${f.inputs}
${f.button}
</form>
<footer>This link works once, for ${v.admin.name} only, until ${formatUtc(v.page.expiresAt)}. Never paste passwords or keys into chat.</footer>`);
}
