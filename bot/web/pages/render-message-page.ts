import { html, type SafeHtml } from './html.js';
import { renderLayout } from './render-layout.js';

/** A page with a refusal or an error and no form: a dead link, a blocked post, an internal fault. Never a stack. */
export function renderMessagePage(title: string, code: string, message: string, extra: string | null = null): SafeHtml {
  return renderLayout(title, html`<h1>${title}</h1>
<div class="refusal" role="alert"><p><strong><code>${code}</code></strong>: ${message}</p>${extra ? html`<p>${extra}</p>` : ''}</div>
<footer>Links to these pages come from dualkey in chat; each works once, for one admin, for 10 minutes.</footer>`);
}
