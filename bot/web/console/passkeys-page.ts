import type { Passkey } from '../../../core/model/passkey.js';
import type { WebAuthnOptionsJson } from '../../../core/ports/webauthn.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, csrfField, type Viewer } from './console-layout.js';
import { formatUtc } from './console-format.js';
import { ceremonyBlock } from './webauthn-assets.js';

function row(viewer: Viewer, p: Passkey): SafeHtml {
  const live = !p.revokedAt;
  return html`<tr><td>${p.name}</td><td><code>${p.credentialId.slice(0, 16)}…</code></td><td>${formatUtc(p.createdAt)}</td><td>${p.lastUsedAt ? formatUtc(p.lastUsedAt) : 'never'}</td>
<td>${live ? html`<form method="post" action="/console/passkeys" class="inline">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="rename"><input type="hidden" name="id" value="${p.id}"><label for="n-${p.id}" class="visually-hidden">New name for ${p.name}</label><input id="n-${p.id}" type="text" name="name" maxlength="60" value="${p.name}" autocomplete="off"> <button type="submit" class="secondary">Rename</button></form>
<form method="post" action="/console/passkeys" class="inline">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="revoke"><input type="hidden" name="id" value="${p.id}"><button type="submit" class="danger" aria-label="Revoke ${p.name}">Revoke</button></form>` : html`revoked ${formatUtc(p.revokedAt!)}`}</td></tr>`;
}

/** The Passkeys page: this admin's passkeys (name, credential id, use), rename and revoke, and a form to register one. */
export function renderPasskeysPage(viewer: Viewer, passkeys: Passkey[], banner: SafeHtml | null): SafeHtml {
  return consoleLayout('Passkeys', 'passkeys', viewer, html`<h1>Passkeys</h1>
${banner}
<p>A passkey (a security key, or your device's fingerprint, face or PIN) proves it is you at the moment of a decision, where the tenant's step-up policy asks for it.
dualkey stores only its public key. Every admin is alerted when you register or revoke one.</p>
${passkeys.length === 0 ? html`<p class="muted">You have no passkeys.</p>` : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Credential</th><th scope="col">Registered</th><th scope="col">Last used</th><th scope="col">Manage</th></tr></thead>
<tbody>${passkeys.map((p) => row(viewer, p))}</tbody></table>`}
<section class="panel" aria-labelledby="new-h"><h2 id="new-h">Register a passkey</h2>
<form method="post" action="/console/passkeys">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="begin">
<label for="name">Name <span class="muted">(e.g. "laptop"; at most 60 characters)</span></label><input id="name" type="text" name="name" maxlength="60" autocomplete="off">
<p><button type="submit">Continue</button></p></form></section>`);
}

/** The registration step: the browser asks the authenticator to create the passkey, then the form posts the response. */
export function renderRegisterPasskeyPage(viewer: Viewer, name: string, options: WebAuthnOptionsJson): SafeHtml {
  return consoleLayout('Register a passkey', 'passkeys', viewer, html`<h1>Register the passkey “${name}”</h1>
<p>Press the button, then confirm with your security key or device (PIN, fingerprint or face). The request is valid for five minutes.</p>
${ceremonyBlock('register', options, '/console/passkeys', { csrf: viewer.csrf, op: 'finish', name }, 'Create the passkey')}
<p><a href="/console/passkeys">Cancel</a></p>`);
}
