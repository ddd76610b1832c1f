import { DomainError } from '../errors.js';
import type { Store } from '../ports/store.js';

/**
 * One customer key protects at most one instance at a time (issue 8 item 5, I7): locking one instance
 * destroys only its own vault copy, so a second copy elsewhere would still unwrap the locked DEK.
 * Refuses with `key_in_use`; the other instance is named only when it belongs to the same tenant.
 * The database's `protectors_fingerprint_live` index backs this check against concurrent uploads.
 */
export async function requireKeyFree(store: Store, tenantId: string, instanceName: string, fingerprint: string): Promise<void> {
  const live = await store.protectors.liveByFingerprint(fingerprint);
  if (!live) return;
  const where = live.tenantId === tenantId ? `instance ${live.instanceName}` : 'another instance';
  throw new DomainError('key_in_use',
    `This key (${fingerprint}) already protects ${where}; one key protects one instance at a time. Use a different key for ${instanceName} (e.g. "key new ${instanceName}").`,
    { fingerprint, ...(live.tenantId === tenantId ? { usedBy: live.instanceName } : {}) });
}
