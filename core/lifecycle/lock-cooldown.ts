import { DomainError } from '../errors.js';
import type { Instance } from '../model/instance.js';
import type { Tenant } from '../model/tenant.js';

/** When a lock becomes allowed: the cooldown after the last key change, or null when none applies. */
export function lockAllowedAt(instance: Instance, tenant: Tenant): Date | null {
  if (!instance.lastKeyChangeAt) return null;
  return new Date(instance.lastKeyChangeAt.getTime() + tenant.settings.lockCooldownHours * 3_600_000);
}

/** Refuses with `lock_cooldown` (carrying the time the lock becomes allowed) within the cooldown after a key change. */
export function requireCooldownOver(instance: Instance, tenant: Tenant, now: Date): void {
  const allowedAt = lockAllowedAt(instance, tenant);
  if (allowedAt && now.getTime() < allowedAt.getTime()) {
    throw new DomainError(
      'lock_cooldown',
      `${instance.name}'s key changed less than ${tenant.settings.lockCooldownHours} hours ago, so it cannot be locked before ${allowedAt.toISOString()}. This protects against a key being changed and the instance locked before other admins can react.`,
      { instance: instance.name, lockAllowedAt: allowedAt.toISOString() },
    );
  }
}
