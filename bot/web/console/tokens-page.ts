import type { CliTokenView } from '../../../core/cli-tokens/manage-cli-tokens.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, csrfField, type Viewer } from './console-layout.js';
import { formatUtc } from './console-format.js';

/** The CLI tokens page: this admin's personal tokens (never the tokens), a form to create one, and revoke buttons. */
export function renderTokensPage(viewer: Viewer, tokens: CliTokenView[], banner: SafeHtml | null): SafeHtml {
  return consoleLayout('CLI tokens', 'tokens', viewer, html`<h1>CLI tokens</h1>
${banner}
<p>A personal CLI token lets you run admin commands with the dualkey CLI as yourself: <code>dualkey --token-file &lt;file&gt; approve &lt;request&gt;</code>.
It acts with your rights, so keep it like a password. dualkey shows it once and stores only its hash; the operator can revoke it but never create one for you.</p>
${tokens.length === 0 ? html`<p class="muted">You have no CLI tokens.</p>` : html`<table><thead><tr><th scope="col">Id</th><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
<tbody>${tokens.map((t) => html`<tr><td><code>${t.id}</code></td><td>${t.label}</td><td>${formatUtc(t.createdAt)}</td><td>${t.lastUsedAt ? formatUtc(t.lastUsedAt) : 'never'}</td><td>${t.revokedAt ? html`revoked ${formatUtc(t.revokedAt)}` : html`<form method="post" action="/console/tokens">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="revoke"><input type="hidden" name="id" value="${t.id}"><button type="submit" class="secondary" aria-label="Revoke ${t.label} (${t.id})">Revoke</button></form>`}</td></tr>`)}</tbody></table>`}
<section class="panel" aria-labelledby="new-h"><h2 id="new-h">Create a token</h2>
<form method="post" action="/console/tokens">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="create">
<label for="label">Label <span class="muted">(e.g. "laptop"; at most 60 characters)</span></label><input id="label" type="text" name="label" maxlength="60" autocomplete="off">
<p><button type="submit">Create the token</button></p></form></section>`);
}

/** The one page that shows a new token: once, with how to store and use it. */
export function renderNewTokenPage(viewer: Viewer, token: string, view: CliTokenView): SafeHtml {
  return consoleLayout('Your new CLI token', 'tokens', viewer, html`<h1>Your new CLI token</h1>
<div class="notice warn" role="alert"><p><strong>Shown once.</strong> Copy it now into a file only you can read; dualkey keeps only its hash and cannot show it again.</p></div>
<dl><dt>Token</dt><dd><code id="cli-token">${token}</code></dd><dt>Id</dt><dd><code>${view.id}</code></dd><dt>Label</dt><dd>${view.label}</dd></dl>
<p>Then: <code>chmod 600 ~/.dualkey-token</code> and <code>dualkey --token-file ~/.dualkey-token status</code>. Never paste it into chat.</p>
<p><a href="/console/tokens">Back to CLI tokens</a></p>`);
}
