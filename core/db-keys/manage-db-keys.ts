import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { audited } from '../lifecycle/audited.js';
import { loadInstance, requireActive } from '../lifecycle/load-instance.js';
import type { DbKey } from '../model/db-key.js';
import type { InstanceState } from '../model/instance.js';
import { DB_KEY_BYTES, sealDbKey } from './db-key-crypto.js';
import { dbKeysChanged } from './db-key-alert.js';
import { unwrapInstanceDeks, zeroDeks } from '../data-plane/unwrap-instance-deks.js';

/** Largest key id MariaDB's plugin interface can name here (the column is a 32-bit integer). */
const MAX_KEY_ID = 2 ** 31 - 1;

/** What `db-keys status` shows: ids, versions and dates, never key material. */
export interface DbKeyStatus {
  instance: string;
  state: InstanceState;
  keys: Array<{ keyId: number; latestVersion: number; versions: Array<{ version: number; createdAt: Date }> }>;
}

function requireKeyIds(ids: number[]): void {
  if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 1 || id > MAX_KEY_ID) || new Set(ids).size !== ids.length) {
    throw new DomainError('invalid_input', `Key ids are distinct whole numbers from 1 to ${MAX_KEY_ID}, e.g. --ids 1,2 (1 is the one MariaDB always needs; 2 encrypts temporary files).`);
  }
}

/**
 * Adds key versions: fresh random key material sealed under the instance's current DEK, committed only if
 * the instance did not change meanwhile. The commit bumps the generation, so every replica's key cache
 * reloads before it serves again.
 */
async function addVersions(deps: EngineDeps, tenantId: string, instanceName: string, plan: (existing: DbKey[]) => Array<{ keyId: number; version: number }>, operation: 'init' | 'rotate') {
  const before = await deps.uow.run(async (store) => {
    const c = await loadInstance(store, tenantId, instanceName);
    requireActive(c.instance);
    return { instance: c.instance, planned: plan(await store.dbKeys.listByInstance(c.instance.id)) };
  });
  const unwrapped = await unwrapInstanceDeks(deps, before.instance.id);
  try {
    const dek = { version: unwrapped.current, key: unwrapped.deks.get(unwrapped.current)! };
    return await deps.uow.run(async (store) => {
      const now = deps.clock.now();
      const c = await loadInstance(store, tenantId, instanceName, true);
      requireActive(c.instance);
      if (c.instance.generation !== unwrapped.instance.generation) {
        throw new DomainError('operation_in_progress', `The keys of ${instanceName} changed meanwhile; run the command again.`, { instance: instanceName });
      }
      // Planned again under the row lock: a concurrent init or rotate must not create the same version twice.
      const planned = plan(await store.dbKeys.listByInstance(c.instance.id));
      const rows = planned.map((k) => {
        const material = deps.random.bytes(DB_KEY_BYTES);
        const row = sealDbKey(dek, { tenantId, instanceId: c.instance.id, keyId: k.keyId, version: k.version, createdAt: now }, material, deps.random);
        material.fill(0);
        return row;
      });
      await store.dbKeys.insert(rows);
      await store.instances.update(c.instance.id, c.instance.generation, {});
      await appendAudit(store, {
        at: now, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: operation === 'init' ? 'db_keys_init' : 'db_key_rotate',
        instanceName, requestId: null, result: 'ok', code: null, details: { keys: planned.map((k) => `${k.keyId}:${k.version}`).join(',') },
      });
      await fanOutAlert(store, deps, now, tenantId, dbKeysChanged(instanceName, operation, planned, now));
      return planned;
    });
  } finally {
    zeroDeks(unwrapped.deks);
  }
}

/** `db-keys init`: version 1 of each key id (default 1 and 2); refuses ids that already exist (`db_key_exists`). */
export async function initDbKeys(deps: EngineDeps, tenantId: string, instanceName: string, keyIds: number[] = [1, 2]) {
  return audited(deps, { action: 'db_keys_init', actor: 'operator', tenantId, instanceName }, async () => {
    requireKeyIds(keyIds);
    return addVersions(deps, tenantId, instanceName, (existing) => {
      const taken = keyIds.filter((id) => existing.some((k) => k.keyId === id));
      if (taken.length > 0) {
        throw new DomainError('db_key_exists', `${instanceName} already has database key ${taken.join(', ')}; use "db-keys rotate ${instanceName} --id ${taken[0]}" for a new version.`, { instance: instanceName });
      }
      if (!existing.some((k) => k.keyId === 1) && !keyIds.includes(1)) {
        throw new DomainError('invalid_input', 'MariaDB always needs key id 1: include it, e.g. --ids 1,2.');
      }
      return keyIds.map((keyId) => ({ keyId, version: 1 }));
    }, 'init');
  });
}

/** `db-keys rotate`: the next version of one key id; older versions stay fetchable (`db_key_not_found` for an unknown id). */
export async function rotateDbKey(deps: EngineDeps, tenantId: string, instanceName: string, keyId: number) {
  return audited(deps, { action: 'db_key_rotate', actor: 'operator', tenantId, instanceName }, async () => {
    requireKeyIds([keyId]);
    const [rotated] = await addVersions(deps, tenantId, instanceName, (existing) => {
      const versions = existing.filter((k) => k.keyId === keyId).map((k) => k.version);
      if (versions.length === 0) {
        throw new DomainError('db_key_not_found', `${instanceName} has no database key ${keyId}. Create it with "db-keys init ${instanceName} --ids ${keyId}".`, { instance: instanceName, keyId });
      }
      return [{ keyId, version: Math.max(...versions) + 1 }];
    }, 'rotate');
    return rotated!;
  });
}

/** `db-keys status`: key ids and versions with their creation times. */
export async function dbKeyStatus(deps: EngineDeps, tenantId: string, instanceName: string): Promise<DbKeyStatus> {
  return deps.uow.run(async (store) => {
    const { instance } = await loadInstance(store, tenantId, instanceName);
    const keys = new Map<number, DbKeyStatus['keys'][number]>();
    for (const row of await store.dbKeys.listByInstance(instance.id)) {
      const k = keys.get(row.keyId) ?? { keyId: row.keyId, latestVersion: 0, versions: [] };
      k.versions.push({ version: row.version, createdAt: row.createdAt });
      k.latestVersion = Math.max(k.latestVersion, row.version);
      keys.set(row.keyId, k);
    }
    return { instance: instance.name, state: instance.state, keys: [...keys.values()] };
  });
}
