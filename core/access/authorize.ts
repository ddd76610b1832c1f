import { DomainError } from '../errors.js';
import { adminNotFound, notAdminOfInstance } from './admin-refusals.js';
import type { Admin } from '../model/admin.js';
import type { Instance } from '../model/instance.js';
import type { Request } from '../model/request.js';
import type { Tenant } from '../model/tenant.js';

/** True when the admin administers the named instance (tenant-wide roles administer all). */
export function administers(admin: Admin, instanceName: string): boolean {
  if (admin.role === 'global_admin' || admin.role === 'service_admin') return true;
  return admin.instances.includes(instanceName);
}

/** Refuses with `not_admin` unless the admin administers the instance. */
export function requireInstanceAdmin(admin: Admin, instance: Pick<Instance, 'name' | 'tenantId'>): void {
  if (admin.tenantId !== instance.tenantId || !administers(admin, instance.name)) {
    // An admin of another tenant is not an administrator here at all.
    throw admin.tenantId !== instance.tenantId ? adminNotFound(admin.email) : notAdminOfInstance(admin.email, instance.name);
  }
}

/** Refuses with `plan_not_entitled` unless the tenant's plan includes self-managed keys. */
export function requireEntitled(tenant: Tenant): void {
  if (!tenant.selfManagedKeys) {
    throw new DomainError('plan_not_entitled', `The plan of tenant ${tenant.name} does not include self-managed keys. Ask the operator to enable it; the instance keeps its current key.`);
  }
}

/** The two-person rule for deciders: not the requester, and an admin since before the request opened. */
export function requireSecondAdmin(admin: Admin, request: Request): void {
  if (admin.id === request.requestedBy) {
    throw new DomainError('self_approval', `You opened ${request.id}; another administrator must approve it. You can still roll it back or reject it.`, { request: request.id });
  }
  if (admin.createdAt.getTime() > request.openedAt.getTime()) {
    throw new DomainError('admin_too_new', `You became an administrator after ${request.id} was opened, so you cannot decide it. Ask an administrator who was already in place.`, { request: request.id });
  }
}
