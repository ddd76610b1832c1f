import type { EngineDeps } from '../engine-deps.js';
import { unwrapInstanceDeks } from './unwrap-instance-deks.js';

interface Entry {
  generation: number;
  deks: Map<number, Buffer>;
  current: number;
}

/**
 * Plaintext DEKs of active instances, in process memory only, tagged with the instance generation
 * they were loaded at. Callers only use an entry after a query that returned that same generation
 * with the instance active, so nothing is served with keys from before a lock or key change.
 */
export class DekCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: EngineDeps) {}

  /** The cached DEKs if they were loaded at `generation`; no I/O, so a hit costs the data plane no await. */
  peek(instanceId: string, generation: number): Entry | undefined {
    const hit = this.entries.get(instanceId);
    return hit && hit.generation === generation ? hit : undefined;
  }

  /** DEKs valid for `generation`, unwrapping them through the vault when the cached ones are older. */
  async get(instanceId: string, generation: number): Promise<Entry> {
    const hit = this.peek(instanceId, generation);
    if (hit) return hit;
    // The one unwrap path the MariaDB key server shares: same state checks, same key_inaccessible refusal.
    const loaded = await unwrapInstanceDeks(this.deps, instanceId);
    const entry: Entry = { generation: loaded.instance.generation, deks: loaded.deks, current: loaded.current };
    this.evict(instanceId);
    this.entries.set(instanceId, entry);
    return entry;
  }

  /** The generation the cached DEKs were loaded at, if any: a write's first guess, checked by its statement. */
  cachedGeneration(instanceId: string): number | null {
    return this.entries.get(instanceId)?.generation ?? null;
  }

  /** Instance ids whose DEKs this process holds (ids only: for the sweep and for tests). */
  heldInstances(): string[] {
    return [...this.entries.keys()];
  }

  /** Generation each held instance's DEKs were loaded at. */
  heldGeneration(instanceId: string): number | null {
    return this.cachedGeneration(instanceId);
  }

  /** Forgets (and zeroes) an instance's DEKs. */
  evict(instanceId: string): void {
    const old = this.entries.get(instanceId);
    if (old) for (const dek of old.deks.values()) dek.fill(0);
    this.entries.delete(instanceId);
  }
}
