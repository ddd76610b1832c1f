import type { EngineDeps } from '../engine-deps.js';

/** A per-process cache of key material tagged with the instance generation it was loaded at. */
export interface KeyCache {
  heldInstances(): string[];
  heldGeneration(instanceId: string): number | null;
  /** Forgets the instance's material, filling its buffers with zeros. */
  evict(instanceId: string): void;
  /** The MariaDB key server keeps serving through a lock's drain window (offline hook); the data plane does not. */
  readonly servesDuringDrain?: boolean;
}

/**
 * Zeroes every cached key of an instance that is no longer active at the generation it was loaded at
 * (locked, locking, key change approved or rolled back, deleted), or whose current key its store now
 * refuses (key-access health recorded a disabled, expired or revoked customer key), in one query.
 * Every replica runs it on a short timer, and the engine after each state change it makes itself, so a
 * lock leaves no plaintext DEK in any server's memory (issue 8 item 6) even on replicas that serve nothing more.
 */
export async function dropStaleKeys(deps: EngineDeps, caches: readonly KeyCache[]): Promise<number> {
  const held = [...new Set(caches.flatMap((c) => c.heldInstances()))];
  if (held.length === 0) return 0;
  const current = new Map((await deps.uow.run((store) => store.instances.generationsOf(held))).map((r) => [r.id, r]));
  const at = deps.clock.now().getTime();
  let dropped = 0;
  for (const cache of caches) {
    for (const id of cache.heldInstances()) {
      const now = current.get(id);
      const draining = now?.state === 'locking' && now.drainUntil !== null && at < now.drainUntil.getTime();
      const usable = now?.state === 'active' || (draining && cache.servesDuringDrain === true);
      // A key its store refuses (disabled, expired, revoked: the customer's kill switch) takes the cached DEKs with it.
      if (now && usable && !now.keyRefused && now.generation === cache.heldGeneration(id)) continue;
      cache.evict(id);
      dropped++;
    }
  }
  return dropped;
}
