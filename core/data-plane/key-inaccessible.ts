import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { InstanceState } from '../model/instance.js';
import { VaultKeyNotFoundError, VaultKeyUnusableError } from '../ports/vault.js';

/**
 * The refusal when the key store will not use an instance's key (disabled, expired, access revoked, deleted):
 * expected when a customer pulls their key, so a DomainError that says what to do.
 */
function keyInaccessible(instanceName: string, reason: string): DomainError {
  return new DomainError(
    'key_inaccessible',
    `${instanceName}'s key cannot be used right now: ${reason}. Its data is intact; restore the key or dualkey's access to it in the key store, then retry.`,
    { instance: instanceName },
  );
}

/**
 * Why the key store will not unwrap with an instance's current key, when that is the store's answer rather than a
 * fault: it refuses the key (disabled, expired, access revoked), or no longer has it (deleted or destroyed outside
 * dualkey, as a customer pulling their key would). Null for anything else.
 */
export function keyStoreRefusal(e: unknown): string | null {
  if (e instanceof VaultKeyUnusableError) return e.reason;
  if (e instanceof VaultKeyNotFoundError) return 'the key store no longer has it (deleted or destroyed outside dualkey; if the store keeps deleted keys, recover it there)';
  return null;
}

/**
 * The refusal to answer after the key store refused an instance's key for `reason`: `instance_locked` when the
 * instance left the `allowed` states meanwhile (a lock destroyed the key mid-call), otherwise `key_inaccessible`.
 */
export async function keyRefusal(deps: Pick<EngineDeps, 'uow'>, instanceId: string, instanceName: string, reason: string, allowed: readonly InstanceState[] = ['active']): Promise<DomainError> {
  const now = await deps.uow.run((store) => store.instances.byId(instanceId));
  if (now && !allowed.includes(now.state)) return new DomainError('instance_locked', `${now.name} is ${now.state}.`, { instance: now.name, state: now.state });
  return keyInaccessible(instanceName, reason);
}
