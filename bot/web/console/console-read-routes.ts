import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceState, KeyMode } from '../../../core/model/instance.js';
import type { Route } from '../route.js';
import type { SafeHtml } from '../pages/html.js';
import { AUDIT_PER_PAGE, renderAuditPage, type AuditFilter } from './audit-page.js';
import { renderAdminsPage } from './admins-page.js';
import type { ConsoleContext, SignedIn } from './console-context.js';
import { queryOf, sendConsolePage } from './console-http.js';
import { notice } from './console-layout.js';
import { INBOX_PER_PAGE, renderInboxPage } from './inbox-page.js';
import { INSTANCES_PER_PAGE, renderInstancesPage } from './instances-page.js';
import { renderInstancePage } from './instance-page.js';
import { renderRequestPage, renderRequestsPage } from './requests-page.js';
import { renderSettingsPage } from './settings-page.js';
import { renderTokensPage } from './tokens-page.js';

const NAME = '([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)';
const REQUEST = '(r-[a-z0-9]{1,32})';
const pageNumber = (q: URLSearchParams) => Math.max(1, Math.min(1_000_000, Number.parseInt(q.get('page') ?? '1', 10) || 1));
const pick = <T extends string>(value: string | null, allowed: readonly T[]): T | undefined => (allowed as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
const day = (v: string | null, plusDays = 0): Date | undefined => {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) ? undefined : new Date(d.getTime() + plusDays * 86_400_000);
};

/** Notices a redirect after an action carries in its query (fixed texts only: nothing from the query is echoed). */
const DONE: Record<string, string> = {
  approve: 'Approved. Every admin has been told.', approval_recorded: 'Your approval is recorded; the request needs more approvals and stays pending. Every admin has been told.', rollback: 'Rolled back. Every admin has been told.', reject: 'Rejected. Every admin has been told.',
  revert: 'Reverted to a service-managed key; another admin must approve. Every admin has been alerted.',
  token_revoke: 'Token revoked: it no longer works.',
  admin_add: 'Roster change requested; another global admin must approve it.', admin_remove: 'Removal requested; another global admin must approve it.',
};
const doneBanner = (q: URLSearchParams): SafeHtml | null => (DONE[q.get('done') ?? ''] ? notice('ok', DONE[q.get('done')!]!) : null);

/** The console's pages (GET): instances, instance, requests, request, inbox, audit, admins, settings. */
export function consoleReadRoutes(ctx: ConsoleContext): Route[] {
  const { engine } = ctx;
  const get = (name: string, path: RegExp, fn: (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, s: SignedIn) => Promise<void>): Route => ({ name, method: 'GET', path, handler: ctx.guard(name, ctx.page(fn)) });

  return [
    get('console.instances', /^\/console\/?$/, async (req, res, _m, s) => {
      const q = queryOf(req);
      const page = pageNumber(q);
      const state = pick<InstanceState>(q.get('state'), ['active', 'locking', 'locked']);
      const keyMode = pick<KeyMode>(q.get('mode'), ['customer', 'service']);
      const filter = { q: (q.get('q') ?? '').trim().slice(0, 100), state: state ?? '', mode: keyMode ?? '' };
      const list = await engine.console.instances(s.admin, {
        ...(filter.q ? { search: filter.q } : {}), ...(state ? { state } : {}), ...(keyMode ? { keyMode } : {}),
        limit: INSTANCES_PER_PAGE, offset: (page - 1) * INSTANCES_PER_PAGE,
      });
      sendConsolePage(res, 200, renderInstancesPage(s.viewer, { ...list, page, filter, now: ctx.now() }));
    }),
    get('console.instance', new RegExp(`^/console/instances/${NAME}$`), async (req, res, m, s) => {
      const detail = await engine.console.instance(s.admin, m[1]!);
      sendConsolePage(res, 200, renderInstancePage(s.viewer, detail, ctx.now(), doneBanner(queryOf(req))));
    }),
    get('console.requests', /^\/console\/requests$/, async (_req, res, _m, s) => {
      const all = await engine.console.requests(s.admin, true);
      sendConsolePage(res, 200, renderRequestsPage(s.viewer, all.filter((r) => r.state === 'pending'), all.filter((r) => r.state !== 'pending').slice(0, 200), ctx.now()));
    }),
    get('console.request', new RegExp(`^/console/requests/${REQUEST}$`), async (req, res, m, s) => {
      const r = await engine.console.request(s.admin, m[1]!);
      sendConsolePage(res, 200, renderRequestPage(s.viewer, r, ctx.now(), doneBanner(queryOf(req))));
    }),
    get('console.inbox', /^\/console\/inbox$/, async (req, res, _m, s) => {
      const page = pageNumber(queryOf(req));
      const { entries, total } = await engine.console.inbox(s.admin, INBOX_PER_PAGE, (page - 1) * INBOX_PER_PAGE);
      sendConsolePage(res, 200, renderInboxPage(s.viewer, entries, total, page));
    }),
    get('console.audit', /^\/console\/audit$/, async (req, res, _m, s) => {
      const q = queryOf(req);
      const page = pageNumber(q);
      const filter: AuditFilter = {
        instance: (q.get('instance') ?? '').trim().slice(0, 64), actor: (q.get('actor') ?? '').trim().toLowerCase().slice(0, 200),
        action: (q.get('action') ?? '').trim().slice(0, 64), from: day(q.get('from')) ? q.get('from')! : '', to: day(q.get('to')) ? q.get('to')! : '',
      };
      const [{ entries, total }, verdict] = await Promise.all([
        engine.console.audit(s.admin, {
          ...(filter.instance ? { instanceName: filter.instance } : {}), ...(filter.actor ? { actorEmail: filter.actor } : {}), ...(filter.action ? { action: filter.action } : {}),
          ...(day(filter.from) ? { from: day(filter.from) } : {}), ...(day(filter.to, 1) ? { to: day(filter.to, 1) } : {}),
          limit: AUDIT_PER_PAGE, offset: (page - 1) * AUDIT_PER_PAGE,
        }),
        engine.verifyAudit(),
      ]);
      sendConsolePage(res, 200, renderAuditPage(s.viewer, entries, total, page, filter, verdict));
    }),
    get('console.admins', /^\/console\/admins$/, async (req, res, _m, s) => {
      const [admins, pending] = await Promise.all([engine.listAdmins(s.admin.tenantId), engine.console.requests(s.admin, false)]);
      sendConsolePage(res, 200, renderAdminsPage(s.viewer, admins, pending.filter((r) => r.type === 'admin_change'), ctx.now(), doneBanner(queryOf(req))));
    }),
    get('console.settings', /^\/console\/settings$/, async (_req, res, _m, s) => {
      sendConsolePage(res, 200, renderSettingsPage(s.viewer, await engine.console.tenant(s.admin), null));
    }),
    get('console.tokens', /^\/console\/tokens$/, async (req, res, _m, s) => {
      sendConsolePage(res, 200, renderTokensPage(s.viewer, await engine.listCliTokens(s.admin.tenantId, s.admin.id), doneBanner(queryOf(req))));
    }),
  ];
}
