import type { Tenant } from '../../../core/model/tenant.js';
import { stepUpOperations } from '../../../core/step-up/step-up-policy.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, csrfField, type Viewer } from './console-layout.js';

/** The Settings page: the tenant's rule settings and what each one means, plus this admin's sessions. */
export function renderSettingsPage(viewer: Viewer, tenant: Tenant, banner: SafeHtml | null): SafeHtml {
  const s = tenant.settings;
  const row = (label: string, value: string, meaning: string) => html`<tr><th scope="row">${label}</th><td>${value}</td><td>${meaning}</td></tr>`;
  return consoleLayout('Settings', 'settings', viewer, html`<h1>Settings of ${tenant.name}</h1>
${banner}
<table><thead><tr><th scope="col">Setting</th><th scope="col">Value</th><th scope="col">What it means</th></tr></thead><tbody>
${row('Self-managed keys', tenant.selfManagedKeys ? 'included in the plan' : 'not included', 'Without it every key operation is refused (plan_not_entitled); instances keep the service-managed key.')}
${row('Review window', `${s.reviewWindowHours} hours`, 'How long other admins have to approve or roll back a key change, and to approve a roster change.')}
${row('Lock cooldown', `${s.lockCooldownHours} hours`, 'No lock is allowed this long after a key change, so nobody can change the key, lock the instance and throw the key away before the others react.')}
${row('Lock approval time', `${s.lockApprovalTtlHours} hours`, 'How long a lock request waits for a second admin before it expires.')}
${row('Unreviewed key changes', s.unreviewedChangePolicy === 'rollback' ? 'rolled back at the deadline' : 'kept at the deadline', 'What happens to a key change nobody approved or rolled back in time.')}
${row('Digest', `${s.digestCron} (${s.timezone})`, 'When each admin gets the summary: pending requests, locked instances, key ages, recent changes, undelivered alerts.')}
${row('Passkey step-up', stepUpOperations(s).length ? `passkey for ${stepUpOperations(s).join(', ').replace(/_/g, ' ')}` : 'off', 'Decisions that need a passkey (user verified) in the console; chat buttons and CLI tokens answer with a one-time link to the console instead.')}
${row('Approvals required', `key change ${s.approvalsKeyChange ?? 1}, lock ${s.approvalsLock ?? 1}, roster change ${s.approvalsRoster ?? 1}`, 'How many administrators besides the requester must approve (1: the two-person rule); one roll back or reject ends a request. A change applies to requests opened after it.')}
${row('Slack alert channel', s.slackAlertChannel ?? 'none', 'A Slack channel that also receives every alert, besides each admin\'s own messages.')}
</tbody></table>
<p class="muted">The operator changes these with <code>dualkey tenant set</code>; every change is audited.</p>
<section class="panel" aria-labelledby="sess-h"><h2 id="sess-h">Your sessions</h2>
<p>Signed in with a one-time link. Sessions end after 30 minutes without activity and 12 hours after sign-in.</p>
<form method="post" action="/console/sign-out-everywhere">${csrfField(viewer.csrf)}<button type="submit" class="secondary">Sign out everywhere</button></form></section>`);
}
