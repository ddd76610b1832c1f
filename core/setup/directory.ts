import { approvalProgressOf } from '../lifecycle/approval-progress.js';
import type { EngineDeps } from '../engine-deps.js';
import { adminNotFound } from '../access/admin-refusals.js';
import { DomainError } from '../errors.js';
import type { Admin, Platform } from '../model/admin.js';
import type { Request } from '../model/request.js';
import type { Tenant } from '../model/tenant.js';

/** The tenant named, or the only one when no name is given (CLI `--tenant` may be omitted then). */
export async function resolveTenant(deps: EngineDeps, name?: string): Promise<Tenant> {
  return deps.uow.run(async (store) => {
    if (name) {
      const t = await store.tenants.byName(name);
      if (!t) throw new DomainError('tenant_not_found', `There is no tenant named ${name}. Create it with "dualkey tenant create ${name}".`, { tenant: name });
      return t;
    }
    const all = await store.tenants.list();
    if (all.length === 1) return all[0]!;
    if (all.length === 0) throw new DomainError('tenant_not_found', 'No tenant exists yet. Create one with "dualkey tenant create <tenant>".');
    throw new DomainError('tenant_required', `There are ${all.length} tenants; name one with --tenant <tenant> (${all.map((t) => t.name).slice(0, 10).join(', ')}).`);
  });
}

/** The admin with this e-mail in the tenant, or `admin_not_found`. */
export async function adminByEmail(deps: EngineDeps, tenantId: string, email: string): Promise<Admin> {
  const admin = await deps.uow.run((store) => store.admins.byEmail(tenantId, email.normalize('NFKC').trim().toLowerCase()));
  if (!admin) throw adminNotFound(email.trim().toLowerCase().slice(0, 320));
  return admin;
}

/** The admin linked to a chat identity, or null (the caller refuses and audits). */
export async function adminByIdentity(deps: EngineDeps, platform: Platform, workspace: string, userId: string): Promise<Admin | null> {
  return deps.uow.run((store) => store.admins.byIdentity(platform, workspace, userId));
}

/** The tenant's admins. */
export async function listAdmins(deps: EngineDeps, tenantId: string): Promise<Admin[]> {
  return deps.uow.run((store) => store.admins.list(tenantId));
}

/** Pending requests of the tenant (or every request with `all`), each with its instance name. */
export async function listRequests(deps: EngineDeps, tenantId: string, all: boolean): Promise<Array<Request & { instanceName: string | null; requesterEmail: string | null }>> {
  return deps.uow.run(async (store) => {
    const [requests, admins] = await Promise.all([store.requests.list(tenantId, all), store.admins.list(tenantId)]);
    // Only the instances the requests name: a tenant may have 10,000 of them.
    const named = await store.instances.namesOf(requests.flatMap((r) => (r.instanceId ? [r.instanceId] : [])));
    const names = new Map(named.map((i) => [i.id, i.name]));
    const emails = new Map(admins.map((a) => [a.id, a.email]));
    const out = [];
    for (const r of requests) {
      // A pending k-of-n request lists its recorded approvals ("1 of 2 approvals").
      const progress = await approvalProgressOf(store, r, admins);
      out.push({ ...r, ...(progress ? { progress } : {}), instanceName: r.instanceId ? (names.get(r.instanceId) ?? null) : null, requesterEmail: emails.get(r.requestedBy) ?? null });
    }
    return out;
  });
}
