import { timingSafeEqual } from 'node:crypto';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { TokenGrant } from '../model/db-key.js';
import { hashToken } from '../setup/issue-token.js';
import { openDbKey } from './db-key-crypto.js';
import { unwrapInstanceDeks, zeroDeks } from './unwrap-instance-deks.js';

/** One served key version. */
export interface ServedKey {
  keyId: number;
  version: number;
  material: Buffer;
  createdAt: Date;
}

interface Entry {
  generation: number;
  /** keyId → version → key */
  keys: Map<number, Map<number, ServedKey>>;
}

/**
 * The key server MariaDB's hashicorp_key_management plugin reads (Vault KV v2 subset). Every request
 * costs one indexed query (token → instance state and generation, DESIGN §4: refused on every replica
 * from the moment a lock commits); the decrypted database keys are cached per process for that
 * generation, so a key change, rotation or lock (each bumps it) makes the next request reload or refuse.
 */
export class KvKeyServer {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  /** Kept through a lock's drain window (the key-cache sweep reads this). */
  readonly servesDuringDrain = true;

  constructor(private readonly deps: EngineDeps) {}

  /** Checks the token against the instance in the path and that the instance may be served now. */
  async authorize(token: string, instanceName: string): Promise<TokenGrant> {
    const presented = Buffer.from(hashToken(token), 'hex');
    const grant = token.length > 0 && token.length <= 512 ? await this.deps.uow.hot.grant(presented.toString('hex')) : null;
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
        this.evict(grant.instanceId);
        this.entries.set(grant.instanceId, entry);
      }
      return entry;
    } finally {
      zeroDeks(unwrapped.deks);
    }
  }
}
