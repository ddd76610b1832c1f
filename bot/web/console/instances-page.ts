import type { InstanceRow } from '../../../core/ports/store.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, type Viewer } from './console-layout.js';
import { age, formatUtc, stateBadge, timeLeft, typeLabel } from './console-format.js';

/** Rows per page of the instance list (a tenant may have thousands). */
export const INSTANCES_PER_PAGE = 50;

/** What the list shows and how it was filtered. */
export interface InstancesView {
  rows: Array<InstanceRow & { lockAllowedAt: Date | null }>;
  total: number;
  page: number;
  filter: { q: string; state: string; mode: string };
  now: Date;
}

const option = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;

function lockCell(r: InstancesView['rows'][number], now: Date): SafeHtml {
  if (r.state !== 'active') return html`<span class="muted">—</span>`;
  if (r.keyMode !== 'customer') return html`<span class="muted">needs a customer key</span>`;
  if (r.lockAllowedAt && r.lockAllowedAt > now) return html`<span class="badge warn">in ${timeLeft(now, r.lockAllowedAt)}</span><br><small class="muted">${formatUtc(r.lockAllowedAt)}</small>`;
  return html`<span class="badge ok">allowed</span>`;
}

/** The Instances page: state, key, key age, lock countdown, pending request; search, filters and pages. */
export function renderInstancesPage(viewer: Viewer, v: InstancesView): SafeHtml {
  const pages = Math.max(1, Math.ceil(v.total / INSTANCES_PER_PAGE));
  const link = (page: number) => `/console/?${new URLSearchParams({ ...v.filter, page: String(page) }).toString()}`;
  const first = v.total === 0 ? 0 : (v.page - 1) * INSTANCES_PER_PAGE + 1;
  return consoleLayout('Instances', 'instances', viewer, html`<h1>Instances</h1>
<form class="filters" method="get" action="/console/" role="search">
<div><label for="q">Search</label><input id="q" type="search" name="q" value="${v.filter.q}" placeholder="name, key name or fingerprint"></div>
<div><label for="state">State</label><select id="state" name="state">${option('', 'any', v.filter.state)}${option('active', 'active', v.filter.state)}${option('locking', 'locking', v.filter.state)}${option('locked', 'locked', v.filter.state)}</select></div>
<div><label for="mode">Key</label><select id="mode" name="mode">${option('', 'any', v.filter.mode)}${option('customer', 'customer key', v.filter.mode)}${option('service', 'service-managed', v.filter.mode)}</select></div>
<div><button type="submit">Filter</button></div>
</form>
<p class="muted" aria-live="polite">${v.total === 0 ? 'No instance matches.' : `Showing ${first}–${first + v.rows.length - 1} of ${v.total} instance${v.total === 1 ? '' : 's'}.`}</p>
${v.rows.length > 0 ? html`<table>
<caption class="muted">Instances of your organisation</caption>
<thead><tr><th scope="col">Instance</th><th scope="col">State</th><th scope="col">Key</th><th scope="col">Key age</th><th scope="col">Lock</th><th scope="col">Pending</th></tr></thead>
<tbody>${v.rows.map((r) => html`<tr>
<td><a href="/console/instances/${r.name}">${r.name}</a></td>
<td>${stateBadge(r.state)}</td>
<td>${r.keyMode === 'customer' ? 'Customer key' : 'Service-managed'}: ${r.keyName}<br><code>${r.fingerprint}</code></td>
<td>${age(v.now, r.keyCreatedAt)}</td>
<td>${lockCell(r, v.now)}</td>
<td>${r.pendingRequest ? html`<a href="/console/requests/${r.pendingRequest.id}">${typeLabel(r.pendingRequest.type)} ${r.pendingRequest.id}</a><br><small class="muted">${timeLeft(v.now, r.pendingRequest.deadline)} left</small>` : html`<span class="muted">none</span>`}</td>
</tr>`)}</tbody>
</table>` : ''}
${pages > 1 ? html`<nav class="pager" aria-label="Pages">${v.page > 1 ? html`<a href="${link(v.page - 1)}" rel="prev">Previous</a>` : ''}<span>Page ${v.page} of ${pages}</span>${v.page < pages ? html`<a href="${link(v.page + 1)}" rel="next">Next</a>` : ''}</nav>` : ''}`);
}
