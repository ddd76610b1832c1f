import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

describe('backups', () => {
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    await h.engine.records.put(ref, 'a', Buffer.from('first'));
    await h.engine.records.put(ref, 'b', Buffer.from('second'));
  });
  afterEach(() => h.dispose());

  it('exports records still encrypted and restores them into the same instance, across a key change', async () => {
    const backup = await h.engine.createBackup(s.tenant.id, s.instance);
    expect(backup.includes(Buffer.from('first'))).toBe(false);
    await h.engine.records.put(ref, 'a', Buffer.from('overwritten'));
    await h.engine.records.delete(ref, 'b');
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    expect(await h.engine.restoreBackup(s.tenant.id, s.instance, backup)).toEqual({ records: 2 });
    expect((await h.engine.records.get(ref, 'a')).toString()).toBe('first');
    expect((await h.engine.records.get(ref, 'b')).toString()).toBe('second');
  });

  it('refuses to restore into a locked instance with instance_locked', async () => {
    const backup = await h.engine.createBackup(s.tenant.id, s.instance);
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, s.instance, backup))).code).toBe('instance_locked');
  });

  it('refuses a backup of another instance with backup_mismatch', async () => {
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
    const backup = await h.engine.createBackup(s.tenant.id, s.instance);
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, 'hr-prod', backup))).code).toBe('backup_mismatch');
  });

  it('refuses a damaged or foreign file with backup_malformed and keeps the current records', async () => {
    const backup = JSON.parse((await h.engine.createBackup(s.tenant.id, s.instance)).toString());
    backup.records[0].ciphertext = Buffer.from('tampered').toString('base64');
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, s.instance, Buffer.from(JSON.stringify(backup))))).code).toBe('backup_malformed');
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, s.instance, Buffer.from('not json')))).code).toBe('backup_malformed');
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, s.instance, Buffer.from('{"format":"other"}')))).code).toBe('backup_malformed');
    expect((await h.engine.records.get(ref, 'a')).toString()).toBe('first');
  });

  it('refuses a backup whose record carries a truncated GCM tag with backup_malformed, though the truncated tag would verify', async () => {
    const backup = JSON.parse((await h.engine.createBackup(s.tenant.id, s.instance)).toString());
    backup.records[0].tag = Buffer.from(backup.records[0].tag, 'base64').subarray(0, 12).toString('base64');
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, s.instance, Buffer.from(JSON.stringify(backup))))).code).toBe('backup_malformed');
    expect((await h.engine.records.get(ref, 'a')).toString()).toBe('first');
  });

  it('refuses a backup whose records use a DEK version the instance does not have with backup_key_unavailable', async () => {
    const backup = JSON.parse((await h.engine.createBackup(s.tenant.id, s.instance)).toString());
    backup.records[0].dekVersion = 7;
    expect((await refusal(() => h.engine.restoreBackup(s.tenant.id, s.instance, Buffer.from(JSON.stringify(backup))))).code).toBe('backup_key_unavailable');
  });
});
