import { timingSafeEqual } from 'node:crypto';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { TokenGrant } from '../model/db-key.js';
import { hashToken } from '../setup/issue-token.js';
import { openDbKey } from './db-key-crypto.js';
import { unwrapInstanceDeks, zeroDeks } from '../data-plane/unwrap-instance-deks.js';

/** One served key version. */
export interface ServedKey {
  keyId: number;
  version: number;
  material: Buffer;
  createdAt: Date;
}

// Only valid tokens are kept, so this bounds memory by the number of instances one replica serves.
const MAX_HELD_GRANTS = 10_000;

interface Entry {
  generation: number;
  /** keyId → version → key */
  keys: Map<number, Map<number, ServedKey>>;
}

/**
 * The key server MariaDB's hashicorp_key_management plugin reads (Vault KV v2 subset). A request costs
 * one indexed query (token → instance state and generation), or none while this process holds that
 * token's grant (at most `kvGrantCacheMs`, and only while the instance's keys are cached at the same
 * generation). The decrypted database keys are cached per process for that generation, so a key change,
 * rotation or lock (each bumps it) makes the next request reload or refuse: at once when this process
 * made the change (the engine drops its stale caches after each one), within the grant window or the
 * key-cache sweep, whichever comes first, when another replica or a CLI did.
 */
export class KvKeyServer {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  /** Token hash (hex) → the active grant read for it, and until when (clock ms) it may be reused. */
  private readonly grants = new Map<string, { grant: TokenGrant; until: number }>();

  /** Kept through a lock's drain window (the key-cache sweep reads this). */
  readonly servesDuringDrain = true;

  constructor(private readonly deps: EngineDeps) {}

  /** Checks the token against the instance in the path and that the instance may be served now. */
  async authorize(token: string, instanceName: string): Promise<TokenGrant> {
    const hash = hashToken(token);
    const presented = Buffer.from(hash, 'hex');
    const grant = token.length > 0 && token.length <= 512 ? (this.heldGrant(hash) ?? (await this.freshGrant(hash))) : null;
    // The lookup is by digest, which the caller cannot steer byte by byte; the comparison is constant-time anyway.
    if (!grant || !timingSafeEqual(presented, Buffer.from(grant.tokenHash, 'hex'))) {
      throw new DomainError('token_invalid', 'The X-Vault-Token is not a valid data-plane token. Issue one with "dualkey instance token <instance>".');
    }
    if (grant.name !== instanceName) throw new DomainError('token_instance_mismatch', `This token is for instance ${grant.name}, not ${instanceName}.`);
    if (grant.state !== 'active' && !this.draining(grant)) {
      throw new DomainError('instance_locked', `${grant.name} is ${grant.state}: its database keys are not served until an administrator unlocks it.`, { instance: grant.name, state: grant.state });
    }
    return grant;
  }

  /** A grant read less than `kvGrantCacheMs` ago whose instance's keys this process still holds at that generation. */
  private heldGrant(hash: string): TokenGrant | null {
    const held = this.grants.get(hash);
    if (!held) return null;
    if (this.deps.clock.now().getTime() < held.until && this.entries.get(held.grant.instanceId)?.generation === held.grant.generation) return held.grant;
    this.grants.delete(hash);
    return null;
  }

  private async freshGrant(hash: string): Promise<TokenGrant | null> {
    const grant = await this.deps.uow.hot.grant(hash);
    const ms = this.deps.kvGrantCacheMs ?? 0;
    // Only an active grant is kept: a draining one must end exactly when its window does.
    if (grant && grant.state === 'active' && ms > 0) {
      if (this.grants.size >= MAX_HELD_GRANTS) this.grants.clear();
      this.grants.set(hash, { grant, until: this.deps.clock.now().getTime() + ms });
    }
    return grant;
  }

  /** A lock was approved on an instance with an offline hook: its database keys are served until the drain window ends. */
  private draining(grant: TokenGrant): boolean {
    return grant.state === 'locking' && grant.drainUntil !== null && this.deps.clock.now().getTime() < grant.drainUntil.getTime();
  }

  /** The latest version of `keyId` (version null or 0), or that exact version; `db_key_not_found` otherwise. */
  async key(token: string, instanceName: string, keyId: number, version: number | null): Promise<ServedKey> {
    const grant = await this.authorize(token, instanceName);
    const entry = await this.entryFor(grant);
    const versions = entry.keys.get(keyId);
    const wanted = version && version > 0 ? version : versions ? Math.max(...versions.keys()) : 0;
    const found = versions?.get(wanted);
    if (!found) throw new DomainError('db_key_not_found', `${instanceName} has no database key ${keyId}${version ? ` version ${version}` : ''}.`, { instance: instanceName, keyId });
    return found;
  }

  /** Instance ids whose database keys this process holds (ids only: for the sweep and for tests). */
  heldInstances(): string[] {
    return [...this.entries.keys()];
  }

  /** Generation each held instance's keys were loaded at. */
  heldGeneration(instanceId: string): number | null {
    return this.entries.get(instanceId)?.generation ?? null;
  }

  /** Forgets (and zeroes) an instance's cached keys. */
  evict(instanceId: string): void {
    this.dropEntry(instanceId);
    for (const [hash, held] of this.grants) if (held.grant.instanceId === instanceId) this.grants.delete(hash);
  }

  /** Zeroes and forgets the instance's cached keys, keeping its grants (they are checked against the entry's generation). */
  private dropEntry(instanceId: string): void {
    const old = this.entries.get(instanceId);
    if (old) for (const versions of old.keys.values()) for (const k of versions.values()) k.material.fill(0);
    this.entries.delete(instanceId);
  }

  private async entryFor(grant: TokenGrant): Promise<Entry> {
    const hit = this.entries.get(grant.instanceId);
    if (hit && hit.generation === grant.generation) return hit;
    // Concurrent misses share one load (the plugin opens many connections at start).
    const flightKey = `${grant.instanceId}\u0000${grant.generation}`;
    let flight = this.loading.get(flightKey);
    if (!flight) {
      flight = this.load(grant).finally(() => this.loading.delete(flightKey));
      this.loading.set(flightKey, flight);
    }
    const entry = await flight;
    if (entry.generation !== grant.generation) {
      throw new DomainError('operation_in_progress', `The keys of ${grant.name} are changing right now; the request can be retried.`, { instance: grant.name });
    }
    return entry;
  }

  private async load(grant: TokenGrant): Promise<Entry> {
    const unwrapped = await unwrapInstanceDeks(this.deps, grant.instanceId, this.draining(grant) ? ['active', 'locking'] : ['active']);
    try {
      const rows = await this.deps.uow.run(async (store) => {
        const now = await store.instances.byId(grant.instanceId);
        // Keys read at another generation than the DEKs could mix a rotation in; the caller retries.
        if (!now || now.generation !== unwrapped.instance.generation) return null;
        return store.dbKeys.listByInstance(grant.instanceId);
      });
      const entry: Entry = { generation: unwrapped.instance.generation, keys: new Map() };
      for (const row of rows ?? []) {
        const dek = unwrapped.deks.get(row.dekVersion);
        if (!dek) throw new Error(`DEK version ${row.dekVersion} of ${grant.instanceId} is missing`);
        const versions = entry.keys.get(row.keyId) ?? new Map<number, ServedKey>();
        versions.set(row.version, { keyId: row.keyId, version: row.version, material: openDbKey(grant.tenantId, row, dek), createdAt: row.createdAt });
        entry.keys.set(row.keyId, versions);
      }
      if (rows === null) entry.generation = -1;
      else {
        this.dropEntry(grant.instanceId);
        this.entries.set(grant.instanceId, entry);
      }
      return entry;
    } finally {
      zeroDeks(unwrapped.deks);
    }
  }
}
