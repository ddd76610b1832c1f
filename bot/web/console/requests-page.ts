import type { RequestView } from '../../../core/console/console-queries.js';
import { describeProgress } from '../../../core/alerts/approval-message.js';
import type { Decision } from '../../../core/lifecycle/decide-request.js';
import { adminChangeOf, describeAdminChange } from '../../../core/roster/admin-change.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, csrfField, type Viewer } from './console-layout.js';
import { formatUtc, requestBadge, timeLeft } from './console-format.js';

/** The decisions a request type offers, with their labels and, for the dangerous ones, the confirmation text. */
export function decisionsFor(r: RequestView): Array<{ decision: Decision; label: string; confirm: string | null; style: string }> {
  const on = r.instanceName ?? '';
  if (r.type === 'key_change') {
    return [
      { decision: 'approve', label: 'Approve', confirm: null, style: '' },
      { decision: 'rollback', label: 'Roll back', confirm: `Roll back the key change on ${on}? The previous key becomes active again and the new key is destroyed.`, style: 'danger' },
    ];
  }
  if (r.type === 'lock') {
    return [
      { decision: 'approve', label: 'Approve lock', confirm: `Lock ${on}? It goes offline and its keys are destroyed on the service side until someone unlocks it with the key file.`, style: 'danger' },
      { decision: 'reject', label: 'Reject', confirm: null, style: 'secondary' },
    ];
  }
  if (r.type === 'settings_change') {
    return [
      { decision: 'approve', label: 'Approve', confirm: `Weaken the tenant's protection (${String(r.payload.summary ?? '')})?`, style: 'danger' },
      { decision: 'reject', label: 'Reject', confirm: null, style: 'secondary' },
    ];
  }
  return [
    { decision: 'approve', label: 'Approve', confirm: `Apply the roster change (${describeAdminChange(adminChangeOf(r.payload))})?`, style: '' },
    { decision: 'reject', label: 'Reject', confirm: null, style: 'secondary' },
  ];
}

/** What the request is about, in one line. */
export function describeRequest(r: RequestView): string {
  if (r.type === 'admin_change') return `Admin change: ${describeAdminChange(adminChangeOf(r.payload))}`;
  if (r.type === 'settings_change') return `Settings change: ${String(r.payload.summary ?? '')}`;
  if (r.type === 'lock') return `Lock ${r.instanceName ?? ''}`;
  const op = r.payload.operation === 'revert' ? 'revert to service-managed key' : r.payload.operation === 'new' ? 'new generated key' : 'uploaded key';
  return `Key change on ${r.instanceName ?? ''}: ${op}`;
}

function decisionForms(viewer: Viewer, r: RequestView): SafeHtml {
  return html`<div class="actions">${decisionsFor(r).map((d) => html`<form method="post" action="/console/requests/${r.id}">${csrfField(viewer.csrf)}<input type="hidden" name="decision" value="${d.decision}"><button type="submit"${d.style ? html` class="${d.style}"` : ''}>${d.label}${d.confirm ? '…' : ''}</button></form>`)}</div>`;
}

/** The Requests page: pending ones with time left and their decisions, then the history. */
export function renderRequestsPage(viewer: Viewer, pending: RequestView[], history: RequestView[], now: Date): SafeHtml {
  return consoleLayout('Requests', 'requests', viewer, html`<h1>Requests</h1>
<h2>Pending</h2>
${pending.length === 0 ? html`<p class="muted">Nothing is pending.</p>` : html`<table><thead><tr><th scope="col">Request</th><th scope="col">What</th><th scope="col">Requested by</th><th scope="col">Time left</th><th scope="col">Decide</th></tr></thead>
<tbody>${pending.map((r) => html`<tr><td><a href="/console/requests/${r.id}">${r.id}</a></td><td>${describeRequest(r)}</td><td>${r.requesterEmail ?? 'former admin'}</td><td>${timeLeft(now, r.deadline)}<br><small class="muted">${formatUtc(r.deadline)}</small></td><td>${decisionForms(viewer, r)}</td></tr>`)}</tbody></table>`}
<h2>History</h2>
${history.length === 0 ? html`<p class="muted">No decided requests yet.</p>` : html`<table><thead><tr><th scope="col">Request</th><th scope="col">What</th><th scope="col">State</th><th scope="col">Requested</th><th scope="col">Decided</th></tr></thead>
<tbody>${history.map((r) => html`<tr><td><a href="/console/requests/${r.id}">${r.id}</a></td><td>${describeRequest(r)}</td><td>${requestBadge(r.state)}</td><td>${r.requesterEmail ?? 'former admin'}, ${formatUtc(r.openedAt)}</td><td>${r.decidedAt ? `${r.deciderEmail ?? 'the scheduler (deadline)'}, ${formatUtc(r.decidedAt)}` : '—'}</td></tr>`)}</tbody></table>`}`);
}

/** Says before the click which decisions this tenant confirms with a passkey (the step after confirming asks for it). */
function passkeyNotice(r: RequestView): SafeHtml | string {
  const labels = decisionsFor(r).filter((d) => r.passkeyFor.includes(d.decision)).map((d) => d.label);
  if (labels.length === 0) return '';
  return html`<p class="notice warn">This tenant requires your passkey to ${labels.join(' or ')}: have it at hand, the next step asks for it. Passkeys are registered on the <a href="/console/passkeys">Passkeys</a> page.</p>`;
}

/** One request: its facts, state, decision (or the decision forms), and an optional banner (a refusal or a done notice). */
export function renderRequestPage(viewer: Viewer, r: RequestView, now: Date, banner: SafeHtml | null): SafeHtml {
  const p = r.payload;
  return consoleLayout(`Request ${r.id}`, 'requests', viewer, html`<p><a href="/console/requests">← Requests</a></p>
<h1>Request ${r.id} ${requestBadge(r.state)}</h1>
${banner}
<section class="panel"><dl class="facts">
<dt>What</dt><dd>${describeRequest(r)}</dd>
${r.instanceName ? html`<dt>Instance</dt><dd><a href="/console/instances/${r.instanceName}">${r.instanceName}</a></dd>` : ''}
${p.keyName ? html`<dt>New key</dt><dd>${p.keyName} <code>${p.fingerprint ?? ''}</code></dd>` : ''}
${p.previousKeyName ? html`<dt>Previous key</dt><dd>${p.previousKeyName} <code>${p.previousFingerprint ?? ''}</code></dd>` : ''}
<dt>Requested by</dt><dd>${r.requesterEmail ?? 'former admin'} via ${r.requestedVia}, ${formatUtc(r.openedAt)}</dd>
<dt>Deadline</dt><dd>${formatUtc(r.deadline)}${r.state === 'pending' ? ` (${timeLeft(now, r.deadline)} left)` : ''}</dd>
<dt>State</dt><dd>${r.state.replace(/_/g, ' ')}</dd>
${r.progress && r.state === 'pending' ? html`<dt>Approvals</dt><dd>${describeProgress(r.progress)}</dd>` : ''}
${r.decidedAt ? html`<dt>Decided</dt><dd>${r.deciderEmail ?? 'the scheduler (deadline passed)'}, ${formatUtc(r.decidedAt)}${r.decisionReason ? ` — “${r.decisionReason}”` : ''}</dd>` : ''}
</dl></section>
${r.state === 'pending' ? html`<section class="panel" aria-labelledby="decide-h"><h2 id="decide-h">Decide</h2><p class="muted">Approving needs another admin than the requester; anyone may roll back or reject.</p>${passkeyNotice(r)}${decisionForms(viewer, r)}</section>` : ''}`);
}

/** The confirmation step of a dangerous decision. */
export function renderDecisionConfirm(viewer: Viewer, r: RequestView, decision: Decision, label: string, text: string): SafeHtml {
  return consoleLayout(`Confirm: ${label}`, 'requests', viewer, html`<h1>${label}: ${r.id}</h1>
<div class="notice warn" role="alert"><p>${text}</p></div>
<form method="post" action="/console/requests/${r.id}">${csrfField(viewer.csrf)}<input type="hidden" name="decision" value="${decision}"><input type="hidden" name="confirmed" value="yes">
<label for="reason">Reason <span class="muted">(optional, shown to every admin)</span></label><input id="reason" type="text" name="reason" maxlength="500">
<div class="actions"><button type="submit" class="danger">Yes: ${label}</button> <a class="button secondary" href="/console/requests/${r.id}">Cancel</a></div></form>`);
}
