import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { WebAuthnOptionsJson } from '../../../core/ports/webauthn.js';
import { html, SafeHtml } from '../pages/html.js';
import { CONSOLE_SECURITY_HEADERS } from './console-http.js';
import type { Route } from '../route.js';

// The browser half of @simplewebauthn, served from node_modules by the console itself (never a CDN).
const browserMain = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
const BUNDLE = readFileSync(path.join(path.dirname(browserMain), '..', 'dist', 'bundle', 'index.umd.min.js'));
const CEREMONY = readFileSync(new URL('./passkey-ceremony.js', import.meta.url));

/** The CSP of the pages that run a WebAuthn ceremony: the console's own two scripts, nothing inline. */
export const CEREMONY_CSP = { 'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" };

/** Routes of the two scripts: the @simplewebauthn/browser bundle and the console's ceremony script. */
export function webauthnAssetRoutes(): Route[] {
  const serve = (body: Buffer): Route['handler'] => async (_req, res) => {
    res.writeHead(200, { ...CONSOLE_SECURITY_HEADERS, 'cache-control': 'public, max-age=3600', 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length });
    res.end(body);
  };
  return [
    { name: 'console.webauthn-browser', method: 'GET', path: /^\/console\/webauthn-browser\.js$/, handler: serve(BUNDLE) },
    { name: 'console.passkey-ceremony', method: 'GET', path: /^\/console\/passkey-ceremony\.js$/, handler: serve(CEREMONY) },
  ];
}

/**
 * A ceremony block: the options as inert JSON (`<` escaped so no text can close the element), a form posting
 * `fields` plus the response, the start button (shown by the script) and a live status line.
 */
export function ceremonyBlock(kind: 'register' | 'authenticate', options: WebAuthnOptionsJson, action: string, fields: Record<string, string>, label: string): SafeHtml {
  const json = JSON.stringify(options).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return html`<script type="application/json" id="webauthn-options">${new SafeHtml(json)}</script>
<form method="post" action="${action}" id="webauthn-form" data-ceremony="${kind === 'register' ? 'register' : 'authenticate'}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<input type="hidden" name="response" value="">
<p><button type="button" id="webauthn-start" hidden>${label}</button></p>
<p id="webauthn-status" role="status" aria-live="polite"></p>
<noscript><p>This step needs JavaScript: the browser talks to your passkey through it.</p></noscript></form>
<script src="/console/webauthn-browser.js"></script>
<script src="/console/passkey-ceremony.js"></script>`;
}

/**
 * A ceremony that only fills a field of the page's own form (the unlock page: the file and password are still to
 * come): the options, the start button and status line, and the hidden `response` field to place inside the form.
 */
export function ceremonyFill(options: WebAuthnOptionsJson, label: string): { before: SafeHtml; field: SafeHtml } {
  const json = JSON.stringify(options).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return {
    before: html`<script type="application/json" id="webauthn-options">${new SafeHtml(json)}</script>
<p><button type="button" id="webauthn-start" hidden>${label}</button></p>
<p id="webauthn-status" role="status" aria-live="polite"></p>
<noscript><p>This step needs JavaScript: the browser talks to your passkey through it.</p></noscript>
<script src="/console/webauthn-browser.js"></script>
<script src="/console/passkey-ceremony.js"></script>`,
    field: html`<input type="hidden" name="response" id="webauthn-response" value="">`,
  };
}
