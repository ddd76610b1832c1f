import { DomainError } from '../errors.js';
import type { Instance } from '../model/instance.js';
import type { Protector } from '../model/protector.js';
import type { Tenant } from '../model/tenant.js';
import type { Store } from '../ports/store.js';

/** An instance with its tenant and current protector, read in one transaction. */
export interface InstanceContext {
  tenant: Tenant;
  instance: Instance;
  protector: Protector;
}

/** Loads an instance by name within a tenant; refuses with `instance_not_found`. */
export async function loadInstance(store: Store, tenantId: string, instanceName: string, forUpdate = false): Promise<InstanceContext> {
  const tenant = await store.tenants.byId(tenantId);
  if (!tenant) throw new DomainError('tenant_not_found', `Tenant ${tenantId} does not exist.`);
  const found = await store.instances.byName(tenantId, instanceName);
  if (!found) throw new DomainError('instance_not_found', `There is no instance named ${instanceName} in tenant ${tenant.name}. Run "status" to list instances.`, { instance: instanceName });
  const instance = forUpdate ? await store.instances.lockById(found.id) : found;
  if (!instance) throw new DomainError('instance_not_found', `Instance ${instanceName} was removed.`, { instance: instanceName });
  const protector = await store.protectors.byId(instance.protectorId);
  if (!protector) throw new Error(`instance ${instance.id} has no protector row ${instance.protectorId}`);
  return { tenant, instance, protector };
}

/** Refuses with `instance_locked` unless the instance is active. */
export function requireActive(instance: Instance): void {
  if (instance.state !== 'active') {
    throw new DomainError('instance_locked', `${instance.name} is ${instance.state}. Unlock it first with "unlock ${instance.name}" and the key file it was locked with.`, {
      instance: instance.name,
      state: instance.state,
    });
  }
}
