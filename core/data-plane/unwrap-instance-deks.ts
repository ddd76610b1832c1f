import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Instance, InstanceState } from '../model/instance.js';
import { checkOneKeyAccess } from '../health/check-key-access.js';
import { keyRefusal, keyStoreRefusal } from './key-inaccessible.js';

/** An instance's plaintext DEKs at one generation (zero them when done). */
export interface UnwrappedDeks {
  instance: Instance;
  deks: Map<number, Buffer>;
  current: number;
}

/**
 * Reads the instance, its protector and keyring in one transaction, then unwraps every DEK version
 * through the vault (outside the transaction). Refuses with `instance_locked` unless the state is one of `allowed`,
 * and with `key_inaccessible` when the key store refuses the key or no longer has it.
 */
export async function unwrapInstanceDeks(deps: EngineDeps, instanceId: string, allowed: readonly InstanceState[] = ['active']): Promise<UnwrappedDeks> {
  const loaded = await deps.uow.run(async (store) => {
    const instance = await store.instances.byId(instanceId);
    if (!instance) throw new DomainError('instance_not_found', 'The instance no longer exists.');
    if (!allowed.includes(instance.state)) throw new DomainError('instance_locked', `${instance.name} is ${instance.state}.`, { instance: instance.name, state: instance.state });
    const protector = await store.protectors.byId(instance.protectorId);
    return { instance, protector, vaultKeyId: protector?.vaultKeyId ?? null, rows: await store.keyring.listByProtector(instance.id, instance.protectorId) };
  });
  if (!loaded.vaultKeyId || loaded.rows.length === 0) {
    throw new DomainError('instance_locked', `${loaded.instance.name} has no usable key.`, { instance: loaded.instance.name, state: loaded.instance.state });
  }
  const deks = new Map<number, Buffer>();
  try {
    for (const row of loaded.rows) deks.set(row.version, await deps.vault.unwrapDek(loaded.vaultKeyId, row.wrapped));
  } catch (e) {
    zeroDeks(deks);
    const reason = keyStoreRefusal(e);
    if (reason === null) throw e;
    // Expected when a customer disables, revokes or deletes their key: say so, instead of an internal error
    // (or that the instance is locked, when a lock that committed after the read above destroyed the key).
    throw await keyRefusal(deps, instanceId, loaded.instance.name, reason, allowed);
  }
  // The store used a key recorded as refused: the customer enabled it again. Say so now (every replica's sweep would
  // otherwise drop these DEKs each second until the next health tick), alerting once as the tick would, for the
  // instances the tick checks (active ones: a drain window's reads are not a health check).
  if (loaded.protector?.accessRefused && loaded.instance.state === 'active') {
    // Only bookkeeping: if it fails, the next health tick records the same, and these DEKs are still good.
    await checkOneKeyAccess(deps, loaded.protector, loaded.instance).catch((e: unknown) => deps.logger.warn('key access: recording the key as usable again failed; the next tick will', { instance: loaded.instance.id, error: e instanceof Error ? e.message : String(e) }));
  }
  return { instance: loaded.instance, deks, current: Math.max(...deks.keys()) };
}

/** Zeroes plaintext DEKs. */
export function zeroDeks(deks: Map<number, Buffer>): void {
  for (const dek of deks.values()) dek.fill(0);
}
