import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Instance } from '../model/instance.js';
import type { CurrentKey } from '../ports/store.js';
import type { Request } from '../model/request.js';
import { lockAllowedAt } from '../lifecycle/lock-cooldown.js';

/** What `status` shows for one instance. */
export interface InstanceStatus {
  instance: string;
  state: string;
  keyMode: string;
  protector: { name: string; fingerprint: string; kind: string };
  lockAllowedAt: string | null;
  pendingRequest: { id: string; type: string; deadline: string } | null;
  /** Locked instances: what the key store did with the key — `destroyed`, or `deleted` and recoverable by the store's owner until a time. */
  keyDestruction: { outcome: 'destroyed' | 'deleted'; recoverableUntil: string | null } | null;
  /** Key-access health: why the key store cannot use the current key, or null when it can. */
  keyAccessProblem: string | null;
}

/** Status of one instance, or of every instance of the tenant. */
export async function instanceStatus(deps: EngineDeps, tenantId: string, instanceName?: string): Promise<InstanceStatus[]> {
  return deps.uow.run(async (store) => {
    const tenant = await store.tenants.byId(tenantId);
    if (!tenant) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
    let list: Array<{ instance: Instance; key: CurrentKey | null }>;
    if (instanceName === undefined) {
      // One join for the whole tenant, not a protector query per instance: 10,000 instances stay well under a second.
      list = await store.instances.listWithCurrentKey(tenantId);
    } else {
      const one = await store.instances.byName(tenantId, instanceName);
      if (!one) throw new DomainError('instance_not_found', `There is no instance named ${instanceName}.`, { instance: instanceName });
      list = [{ instance: one, key: await store.protectors.byId(one.protectorId) }];
    }
    const pending = new Map<string, Request>();
    for (const r of await store.requests.pending(tenantId)) if (r.instanceId && !pending.has(r.instanceId)) pending.set(r.instanceId, r);
    const out: InstanceStatus[] = [];
    for (const { instance, key: p } of list) {
      const req = pending.get(instance.id);
      const allowed = lockAllowedAt(instance, tenant);
      out.push({
        instance: instance.name,
        state: instance.state,
        keyMode: instance.keyMode,
        protector: { name: p?.name ?? '', fingerprint: p?.fingerprint ?? '', kind: p?.kind ?? '' },
        lockAllowedAt: allowed ? allowed.toISOString() : null,
        pendingRequest: req ? { id: req.id, type: req.type, deadline: req.deadline.toISOString() } : null,
        keyDestruction: instance.state !== 'active' && p?.destruction ? { outcome: p.destruction.outcome, recoverableUntil: p.destruction.recoverableUntil?.toISOString() ?? null } : null,
        keyAccessProblem: p?.accessProblem ?? null,
      });
    }
    return out;
  });
}
