import type { RequestView } from '../../../core/console/console-queries.js';
import type { Decision } from '../../../core/lifecycle/decide-request.js';
import type { WebAuthnOptionsJson } from '../../../core/ports/webauthn.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, type Viewer } from './console-layout.js';
import { formatUtc } from './console-format.js';
import { describeRequest } from './requests-page.js';
import { ceremonyBlock } from './webauthn-assets.js';

/** The step-up of one decision: what is decided, and the passkey ceremony that confirms exactly this decision on this request. */
export function renderStepUpPage(viewer: Viewer, r: RequestView, decision: Decision, label: string, reason: string | null, options: WebAuthnOptionsJson, banner: SafeHtml | null): SafeHtml {
  return consoleLayout(`Confirm with your passkey: ${label}`, 'requests', viewer, html`<p><a href="/console/requests/${r.id}">← Request ${r.id}</a></p>
<h1>${label}: ${r.id}</h1>
${banner}
<section class="panel"><dl class="facts"><dt>What</dt><dd>${describeRequest(r)}</dd><dt>Decision</dt><dd>${label}</dd><dt>Deadline</dt><dd>${formatUtc(r.deadline)}</dd>${reason ? html`<dt>Reason</dt><dd>${reason}</dd>` : ''}</dl></section>
<p>This tenant requires a passkey for this decision. Your passkey signs a challenge that covers this request, this decision and its deadline; it is valid for two minutes and only once.</p>
${ceremonyBlock('authenticate', options, `/console/requests/${r.id}`, { csrf: viewer.csrf, decision, confirmed: 'yes', reason: reason ?? '' }, `Confirm with your passkey: ${label}`)}`);
}
