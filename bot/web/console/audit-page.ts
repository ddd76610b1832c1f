import { formatAuditHead } from '../../../core/audit/audit-key.js';
import type { ChainVerdict } from '../../../core/audit/verify-chain.js';
import type { AuditEntry } from '../../../core/model/audit-entry.js';
import { html, type SafeHtml } from '../pages/html.js';
import { consoleLayout, notice, type Viewer } from './console-layout.js';
import { formatUtc } from './console-format.js';

/** Entries per audit page. */
export const AUDIT_PER_PAGE = 50;

/** The audit filters as typed (dates as yyyy-mm-dd). */
export interface AuditFilter {
  instance: string;
  actor: string;
  action: string;
  from: string;
  to: string;
}

const input = (id: keyof AuditFilter, label: string, value: string, type = 'text') => html`<div><label for="${id}">${label}</label><input id="${id}" type="${type}" name="${id}" value="${value}"></div>`;

const keyedText = (keyedFrom: number | null, legacy: number) =>
  keyedFrom === null ? 'no entry carries a vault-keyed tag yet.' : legacy > 0 ? `vault-keyed from entry ${keyedFrom} (the ${legacy} earlier entries predate keyed audit and are sealed by it).` : 'every entry carries a vault-keyed tag.';

/** The Audit page: filtered entries, newest first, and the result of verifying the whole hash chain. */
export function renderAuditPage(viewer: Viewer, entries: AuditEntry[], total: number, page: number, filter: AuditFilter, verdict: ChainVerdict): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / AUDIT_PER_PAGE));
  const link = (p: number) => `/console/audit?${new URLSearchParams({ ...filter, page: String(p) }).toString()}`;
  return consoleLayout('Audit', 'audit', viewer, html`<h1>Audit</h1>
${verdict.ok ? notice('ok', `Hash chain verified: ${verdict.entries} entries, intact up to the recorded head (${formatAuditHead({ seq: verdict.headSeq, hash: verdict.headHash })}); ${keyedText(verdict.keyedFrom, verdict.legacyEntries)} Compare the head with the one in your latest alert or digest: dualkey audit verify --against <seq>:<hash>.`) : notice('bad', `Hash chain BROKEN at entry ${verdict.firstBadSeq}: ${verdict.reason}. Tell the operator at once.`, 'audit_chain_broken')}
<form class="filters" method="get" action="/console/audit">
${input('instance', 'Instance', filter.instance)}${input('actor', 'Actor e-mail', filter.actor)}${input('action', 'Action', filter.action)}${input('from', 'From (UTC)', filter.from, 'date')}${input('to', 'To (UTC, inclusive)', filter.to, 'date')}
<div><button type="submit">Filter</button></div></form>
<p class="muted">${total} entr${total === 1 ? 'y' : 'ies'}.</p>
${entries.length ? html`<table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Via</th><th scope="col">Action</th><th scope="col">Instance</th><th scope="col">Request</th><th scope="col">Result</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${e.seq}</td><td>${formatUtc(e.at)}</td><td>${e.actor.email ?? e.actor.kind}${e.actor.impersonatedBy ? ' (CLI impersonation)' : ''}</td><td>${e.transport}</td><td>${e.action}</td><td>${e.instanceName ?? ''}</td><td>${e.requestId ?? ''}</td><td><span class="badge ${e.result === 'ok' ? 'ok' : 'bad'}">${e.result}</span>${e.code ? html` <code>${e.code}</code>` : ''}</td></tr>`)}</tbody></table>` : ''}
${pages > 1 ? html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">Newer</a>` : ''}<span>Page ${page} of ${pages}</span>${page < pages ? html`<a href="${link(page + 1)}" rel="next">Older</a>` : ''}</nav>` : ''}`);
}
