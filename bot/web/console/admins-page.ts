import type { RequestView } from '../../../core/console/console-queries.js';
import type { Admin } from '../../../core/model/admin.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, csrfField, type Viewer } from './console-layout.js';
import { formatUtc, timeLeft } from './console-format.js';
import { describeRequest } from './requests-page.js';

/** The Admins page: the roster, pending roster changes, and (for global admins) the forms to request an addition or removal. */
export function renderAdminsPage(viewer: Viewer, admins: Admin[], pending: RequestView[], now: Date, banner: SafeHtml | null): SafeHtml {
  const global = viewer.admin.role === 'global_admin';
  return consoleLayout('Admins', 'admins', viewer, html`<h1>Admins</h1>
${banner}
<table><thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Linked chat</th><th scope="col">Since</th>${global ? html`<th scope="col">Remove</th>` : ''}</tr></thead>
<tbody>${admins.map((a) => html`<tr><td>${a.name}</td><td>${a.email}</td><td>${a.role}${a.instances.length ? ` of ${a.instances.join(', ')}` : ''}</td><td>${a.identities.length ? html`<ul class="plain">${a.identities.map((i) => html`<li>${i.platform} <code>${i.workspace}/${i.userId}</code></li>`)}</ul>` : 'none'}</td><td>${formatUtc(a.createdAt)}</td>${global ? html`<td><form method="post" action="/console/admins">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="admin_remove"><input type="hidden" name="email" value="${a.email}"><button type="submit" class="secondary" aria-label="Request removal of ${a.email}">Request removal</button></form></td>` : ''}</tr>`)}</tbody></table>
<h2>Pending roster changes</h2>
${pending.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${pending.map((r) => html`<li><a href="/console/requests/${r.id}">${r.id}</a>: ${describeRequest(r)} — requested by ${r.requesterEmail ?? 'former admin'}, ${timeLeft(now, r.deadline)} left</li>`)}</ul>`}
${global ? html`<section class="panel" aria-labelledby="add-h"><h2 id="add-h">Request a new admin</h2>
<p class="muted">Another global admin must approve the change; every admin is alerted.</p>
<form method="post" action="/console/admins">${csrfField(viewer.csrf)}<input type="hidden" name="op" value="admin_add">
<label for="email">E-mail</label><input id="email" type="email" name="email" required autocomplete="off">
<label for="name">Name</label><input id="name" type="text" name="name" required maxlength="100">
<label for="role">Role</label><select id="role" name="role"><option value="global_admin">global admin (everything, roster included)</option><option value="service_admin">service admin (every instance)</option><option value="system_admin">system admin (listed instances)</option></select>
<label for="instances">Instances <span class="muted">(system admins: comma-separated)</span></label><input id="instances" type="text" name="instances">
<p><button type="submit">Request the addition</button></p></form></section>` : html`<p class="muted">Only global admins can request roster changes.</p>`}`);
}
