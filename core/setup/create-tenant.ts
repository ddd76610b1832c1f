import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import { DEFAULT_TENANT_SETTINGS, type Tenant } from '../model/tenant.js';
import { audited } from '../lifecycle/audited.js';
import { requireName } from './validate-names.js';

/** Creates a tenant (operator only); `selfManagedKeys` is the plan entitlement. */
export async function createTenant(deps: EngineDeps, name: string, opts: { selfManagedKeys: boolean }): Promise<Tenant> {
  return audited(deps, { action: 'tenant_create', actor: 'operator', tenantId: null }, async () => {
    requireName('tenant', name);
    return deps.uow.run(async (store) => {
      if (await store.tenants.byName(name)) throw new DomainError('tenant_exists', `Tenant ${name} already exists.`, { tenant: name });
      const at = deps.clock.now();
      const tenant: Tenant = { id: newId(deps.random), name, selfManagedKeys: opts.selfManagedKeys, settings: { ...DEFAULT_TENANT_SETTINGS }, kekVaultKeyId: null, kekPublicKey: null, createdAt: at };
      await store.tenants.insert(tenant);
      await appendAudit(store, {
        at, tenantId: tenant.id, actor: systemAuditActor('operator'), transport: 'cli', action: 'tenant_create',
        instanceName: null, requestId: null, result: 'ok', code: null, details: { tenant: name, selfManagedKeys: opts.selfManagedKeys },
      });
      return tenant;
    });
  });
}
