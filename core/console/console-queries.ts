import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Admin } from '../model/admin.js';
import type { Instance } from '../model/instance.js';
import type { InboxEntry } from '../model/inbox-entry.js';
import type { Protector } from '../model/protector.js';
import type { Request } from '../model/request.js';
import { approvalProgressOf } from '../lifecycle/approval-progress.js';
import type { Tenant } from '../model/tenant.js';
import type { AuditQuery, InstanceQuery, InstanceRow } from '../ports/store.js';
import type { AuditEntry } from '../model/audit-entry.js';
import { lockAllowedAt } from '../lifecycle/lock-cooldown.js';
import type { Decision } from '../lifecycle/decide-request.js';
import { stepUpRequired } from '../step-up/step-up-policy.js';

const DECISIONS: readonly Decision[] = ['approve', 'rollback', 'reject'];

/** A request with the names the console shows, and the decisions on it the tenant requires a passkey for. */
export type RequestView = Request & { instanceName: string | null; requesterEmail: string | null; deciderEmail: string | null; passkeyFor: Decision[] };

/** Everything the instance page shows. */
export interface InstanceDetail {
  tenant: Tenant;
  instance: Instance;
  protectors: Protector[];
  lockAllowedAt: Date | null;
  requests: RequestView[];
}

/** The console's read side: every query is scoped to the signed-in admin's tenant, so another tenant's rows cannot be named. */
export function consoleQueries(deps: EngineDeps) {
  const tenantOf = async (admin: Admin): Promise<Tenant> => {
    const tenant = await deps.uow.run((store) => store.tenants.byId(admin.tenantId));
    if (!tenant) throw new DomainError('tenant_not_found', 'Your tenant no longer exists.');
    return tenant;
  };
  const views = async (tenantId: string, requests: Request[]): Promise<RequestView[]> =>
    deps.uow.run(async (store) => {
      const admins = new Map((await store.admins.list(tenantId)).map((a) => [a.id, a.email]));
      // The step-up policy as decisions apply it (the tenant's settings now), so the page can say so before the click.
      const settings = (await store.tenants.byId(tenantId))?.settings;
      const names = new Map<string, string>();
      for (const id of new Set(requests.flatMap((r) => (r.instanceId ? [r.instanceId] : [])))) {
        const i = await store.instances.byId(id);
        if (i) names.set(id, i.name);
      }
      return requests.map((r) => ({
        ...r, instanceName: r.instanceId ? (names.get(r.instanceId) ?? null) : null, requesterEmail: admins.get(r.requestedBy) ?? null,
        deciderEmail: r.decidedBy ? (admins.get(r.decidedBy) ?? null) : null,
        passkeyFor: settings && r.state === 'pending' ? DECISIONS.filter((d) => stepUpRequired(settings, r.type, d)) : [],
      }));
    });
  return {
    tenant: tenantOf,
    /** One page of the tenant's instances with their key, pending request and cooldown. */
    async instances(admin: Admin, query: InstanceQuery): Promise<{ rows: Array<InstanceRow & { lockAllowedAt: Date | null }>; total: number }> {
      const tenant = await tenantOf(admin);
      const page = await deps.uow.run((store) => store.consoleViews.instances(admin.tenantId, query));
      const cooldown = tenant.settings.lockCooldownHours * 3_600_000;
      return { total: page.total, rows: page.rows.map((r) => ({ ...r, lockAllowedAt: r.lastKeyChangeAt ? new Date(r.lastKeyChangeAt.getTime() + cooldown) : null })) };
    },
    /** One instance with its key history and requests. */
    async instance(admin: Admin, name: string): Promise<InstanceDetail> {
      const tenant = await tenantOf(admin);
      const found = await deps.uow.run(async (store) => {
        const instance = await store.instances.byName(admin.tenantId, name);
        if (!instance) return null;
        const protectors = (await store.protectors.listByInstance(instance.id)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
        const requests = (await store.requests.list(admin.tenantId, true)).filter((r) => r.instanceId === instance.id);
        return { instance, protectors, requests };
      });
      if (!found) throw new DomainError('instance_not_found', `There is no instance named ${name}.`, { instance: name });
      return { tenant, ...found, lockAllowedAt: lockAllowedAt(found.instance, tenant), requests: await views(admin.tenantId, found.requests) };
    },
    /** Pending requests, or every request, newest first. */
    async requests(admin: Admin, all: boolean): Promise<RequestView[]> {
      const list = await deps.uow.run((store) => store.requests.list(admin.tenantId, all));
      return views(admin.tenantId, list.sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime()));
    },
    /** One request of the admin's tenant, or `request_not_found`; a k-of-n request carries its recorded approvals. */
    async request(admin: Admin, id: string): Promise<RequestView> {
      const r = await deps.uow.run(async (store) => {
        const found = await store.requests.byId(id);
        if (!found || found.tenantId !== admin.tenantId) return found;
        const progress = await approvalProgressOf(store, found, await store.admins.list(found.tenantId));
        return progress ? { ...found, progress } : found;
      });
      if (!r || r.tenantId !== admin.tenantId) throw new DomainError('request_not_found', `There is no request ${id}.`, { request: id });
      return (await views(admin.tenantId, [r]))[0]!;
    },
    async inbox(admin: Admin, limit: number, offset: number): Promise<{ entries: InboxEntry[]; total: number }> {
      return deps.uow.run((store) => store.inbox.list(admin.id, limit, offset));
    },
    async unread(admin: Admin): Promise<number> {
      return deps.uow.run((store) => store.inbox.unreadCount(admin.id));
    },
    async markInboxRead(admin: Admin): Promise<number> {
      return deps.uow.run((store) => store.inbox.markAllRead(admin.id, deps.clock.now()));
    },
    async audit(admin: Admin, query: Omit<AuditQuery, 'tenantId'>): Promise<{ entries: AuditEntry[]; total: number }> {
      return deps.uow.run((store) => store.consoleViews.audit({ ...query, tenantId: admin.tenantId }));
    },
  };
}

/** The console's read side, for transports. */
export type ConsoleQueries = ReturnType<typeof consoleQueries>;
