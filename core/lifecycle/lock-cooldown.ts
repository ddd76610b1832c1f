import { DomainError } from '../errors.js';
import type { Instance } from '../model/instance.js';
import type { Tenant } from '../model/tenant.js';

/** When a lock becomes allowed: the cooldown after the last key change, or null when none applies. */
export function lockAllowedAt(instance: Instance, tenant: Tenant, boundHours?: number): Date | null {
  if (!instance.lastKeyChangeAt) return null;
  return new Date(instance.lastKeyChangeAt.getTime() + cooldownHours(tenant, boundHours) * 3_600_000);
}

/** The cooldown that applies: the tenant's, or for a request already open the stricter of it and the one bound when it opened. */
function cooldownHours(tenant: Tenant, boundHours?: number): number {
  return Math.max(tenant.settings.lockCooldownHours, boundHours ?? 0);
}

/** Refuses with `lock_cooldown` (carrying the time the lock becomes allowed) within the cooldown after a key change. */
export function requireCooldownOver(instance: Instance, tenant: Tenant, now: Date, boundHours?: number): void {
  const allowedAt = lockAllowedAt(instance, tenant, boundHours);
  if (allowedAt && now.getTime() < allowedAt.getTime()) {
    throw new DomainError(
      'lock_cooldown',
      `${instance.name}'s key changed less than ${cooldownHours(tenant, boundHours)} hours ago, so it cannot be locked before ${allowedAt.toISOString()}. This protects against a key being changed and the instance locked before other admins can react.`,
      { instance: instance.name, lockAllowedAt: allowedAt.toISOString() },
    );
  }
}
