import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../core/engine.js';
import { auditEntries, dbKeys, outbox } from '../../../db/schema/index.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });

/** Database keys as instance secrets under the DEK, and the KV key server's per-process cache across "replicas" (engines). */
describe('database keys for MariaDB', () => {
  let h: Harness;
  let s: Seeded;
  let token: string;
  const hex = async (engine: Engine, keyId: number, version: number | null = null) => (await engine.kv.key(token, s.instance, keyId, version)).material.toString('hex');

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    token = await h.engine.issueToken(s.tenant.id, s.instance);
  });
  afterEach(() => h.dispose());

  it('creates 32-byte keys 1 and 2 at version 1, stored only as ciphertext, audited and alerted to every admin', async () => {
    const keys = await h.engine.initDbKeys(s.tenant.id, s.instance);
    expect(keys).toEqual([{ keyId: 1, version: 1 }, { keyId: 2, version: 1 }]);
    const k1 = await h.engine.kv.key(token, s.instance, 1, null);
    expect(k1.material).toHaveLength(32);
    expect(await hex(h.engine, 2)).not.toBe(k1.material.toString('hex'));
    const rows = await h.db.database.transaction((tx) => tx.select().from(dbKeys));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.ciphertext.includes(k1.material)).toBe(false);
      expect(row.ciphertext).toHaveLength(32);
      expect(row.tag).toHaveLength(16);
    }
    const audit = await h.db.database.transaction((tx) => tx.select().from(auditEntries).where(eq(auditEntries.action, 'db_keys_init')));
    expect(audit.map((a) => [a.result, a.details])).toEqual([['ok', { keys: '1:1,2:1' }]]);
    const alerts = await h.db.database.transaction((tx) => tx.select().from(outbox));
    const created = alerts.filter((a) => a.message.event === 'db_keys_created');
    expect(new Set(created.map((a) => a.adminId)).size).toBe(3);
    expect(JSON.stringify(alerts)).not.toContain(k1.material.toString('hex'));
  });

  it('refuses bad key ids and repeated init with their codes', async () => {
    expect((await refusal(() => h.engine.initDbKeys(s.tenant.id, s.instance, [0]))).code).toBe('invalid_input');
    expect((await refusal(() => h.engine.initDbKeys(s.tenant.id, s.instance, [1, 1]))).code).toBe('invalid_input');
    expect((await refusal(() => h.engine.initDbKeys(s.tenant.id, s.instance, [2]))).code).toBe('invalid_input');
    expect((await refusal(() => h.engine.initDbKeys(s.tenant.id, s.instance, [1.5]))).code).toBe('invalid_input');
    expect((await refusal(() => h.engine.rotateDbKey(s.tenant.id, s.instance, 1))).code).toBe('db_key_not_found');
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1]);
    expect((await refusal(() => h.engine.initDbKeys(s.tenant.id, s.instance, [1, 2]))).code).toBe('db_key_exists');
    expect((await refusal(() => h.engine.rotateDbKey(s.tenant.id, s.instance, 7))).code).toBe('db_key_not_found');
    expect((await refusal(() => h.engine.initDbKeys(s.tenant.id, 'nope'))).code).toBe('instance_not_found');
    await h.engine.initDbKeys(s.tenant.id, s.instance, [2]);
    expect((await h.engine.dbKeyStatus(s.tenant.id, s.instance)).keys.map((k) => k.keyId)).toEqual([1, 2]);
  });

  it('rotation adds a version; every older version stays fetchable, on a replica that had cached the old one too', async () => {
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1]);
    const replica = h.engine;
    const v1 = await hex(replica, 1);
    const rotator = h.restart();
    expect(await rotator.rotateDbKey(s.tenant.id, s.instance, 1)).toEqual({ keyId: 1, version: 2 });
    // The replica cached generation n; the rotation bumped it, so its very next request sees version 2.
    const latest = await replica.kv.key(token, s.instance, 1, null);
    expect(latest.version).toBe(2);
    expect(latest.material.toString('hex')).not.toBe(v1);
    expect(await hex(replica, 1, 1)).toBe(v1);
    expect(await hex(replica, 1, 2)).toBe(latest.material.toString('hex'));
    expect((await refusal(() => replica.kv.key(token, s.instance, 1, 3))).code).toBe('db_key_not_found');
    const status = await h.engine.dbKeyStatus(s.tenant.id, s.instance);
    expect(status.keys).toEqual([{ keyId: 1, latestVersion: 2, versions: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })] }]);
    expect(JSON.stringify(status)).not.toContain(v1);
  });

  it('a key change re-wraps the DEK only: the same database keys are served before, during review, after approval and after a rollback', async () => {
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1, 2]);
    const before = await hex(h.engine, 1);
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    expect(await hex(h.engine, 1)).toBe(before);
    await h.engine.decide(s.bob, change.request.id, 'approve');
    expect(await hex(h.restart(), 1)).toBe(before);
    const revert = await h.engine.changeKey(s.ann, s.instance, { kind: 'revert' });
    await h.engine.decide(s.bob, revert.request.id, 'rollback');
    expect(await hex(h.restart(), 1)).toBe(before);
  });

  it('refuses on every replica from the moment a lock commits, and serves the same keys again after unlock', async () => {
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1]);
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    const replica = h.engine;
    const before = await hex(replica, 1);
    h.clock.advanceHours(72);
    const other = h.restart();
    const lock = await other.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await other.decide(s.bob, lock.id, 'approve');
    expect((await refusal(() => replica.kv.key(token, s.instance, 1, null))).code).toBe('instance_locked');
    expect((await refusal(() => replica.kv.authorize(token, s.instance))).code).toBe('instance_locked');
    expect((await refusal(() => other.rotateDbKey(s.tenant.id, s.instance, 1))).code).toBe('instance_locked');
    await other.unlock(s.bob, s.instance, file());
    expect(await hex(replica, 1)).toBe(before);
  });

  it('refuses a token of another instance or no token at all', async () => {
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
    const hr = await h.engine.issueToken(s.tenant.id, 'hr-prod');
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1]);
    expect((await refusal(() => h.engine.kv.key(hr, s.instance, 1, null))).code).toBe('token_instance_mismatch');
    expect((await refusal(() => h.engine.kv.key('', s.instance, 1, null))).code).toBe('token_invalid');
    expect((await refusal(() => h.engine.kv.key(`${token}x`, s.instance, 1, null))).code).toBe('token_invalid');
    expect((await refusal(() => h.engine.kv.key(token, s.instance, 2, null))).code).toBe('db_key_not_found');
  });

  it('a sealed key moved to another key id or version no longer opens (the AAD binds them)', async () => {
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1, 2]);
    await h.db.database.transaction(async (tx) => {
      const [k2] = await tx.select().from(dbKeys).where(eq(dbKeys.keyId, 2));
      await tx.update(dbKeys).set({ ciphertext: k2!.ciphertext, nonce: k2!.nonce, tag: k2!.tag }).where(eq(dbKeys.keyId, 1));
    });
    await expect(h.restart().kv.key(token, s.instance, 1, null)).rejects.toThrow(/authenticate/);
  });
});
