import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { createEngine, type Engine } from '../../../core/engine.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { observeUnwraps } from '../../support/observed-vault.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
const allZero = (b: Buffer) => b.length > 0 && b.every((x) => x === 0);

/**
 * Issue 8 item 6: when a lock commits (or a key change is rolled back), every replica drops the
 * instance's cached plaintext keys, filling them with zeros — also a replica that serves nothing
 * more for that instance — and the data plane never re-derives them while locked.
 */
describe('plaintext keys leave every replica\'s memory when a lock commits', () => {
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;
  let token: string;
  /** Every DEK the second replica's vault handed out (the real local vault; only observed). */
  let unwrapped: Buffer[];
  let replica: Engine;

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    unwrapped = [];
    const observed = observeUnwraps(h.vault, (dek) => unwrapped.push(dek));
    // A second server process on the same database and vault: its own caches, nothing shared in memory.
    replica = createEngine({ ...h.engine.deps, vault: observed });
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    token = await h.engine.issueToken(s.tenant.id, s.instance);
    await h.engine.initDbKeys(s.tenant.id, s.instance);
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));
  });
  afterEach(() => h.dispose());

  it('zeroes the DEKs and database keys a replica cached, at its next sweep after the lock commits elsewhere, and never re-derives them while locked', async () => {
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    const cachedDeks = [...unwrapped];
    expect(cachedDeks.length).toBeGreaterThan(0);
    // The key server zeroes the DEKs it opened the database keys with at once; it caches only those keys.
    const served = await replica.kv.key(token, s.instance, 1, null);
    expect(replica.records.deks.heldInstances()).toEqual([ref.instanceId]);
    expect(replica.kv.heldInstances()).toEqual([ref.instanceId]);
    expect(cachedDeks.some(allZero)).toBe(false);
    expect(allZero(served.material)).toBe(false);

    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect((await h.engine.status(s.tenant.id, s.instance))[0]!.state).toBe('locked');

    // The replica has served nothing since; its sweep (every second in `serve`) is what clears it.
    expect(await replica.dropStaleKeys()).toBe(2);
    expect(cachedDeks.every(allZero)).toBe(true);
    expect(allZero(served.material)).toBe(true);
    expect(replica.records.deks.heldInstances()).toEqual([]);
    expect(replica.kv.heldInstances()).toEqual([]);

    const before = unwrapped.length;
    expect((await refusal(() => replica.records.get(ref, 'invoice/1'))).code).toBe('instance_locked');
    expect((await refusal(() => replica.kv.key(token, s.instance, 1, null))).code).toBe('instance_locked');
    expect(unwrapped.length).toBe(before);
    expect(await replica.dropStaleKeys()).toBe(0);
  });

  it('zeroes the approving process\'s own cached DEKs before the approval returns', async () => {
    expect((await h.engine.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect(h.engine.records.deks.heldInstances()).toEqual([ref.instanceId]);
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect(h.engine.records.deks.heldInstances()).toEqual([]);
  });

  it('zeroes a replica\'s DEKs of the rolled-back key after a key change is rolled back elsewhere', async () => {
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'revert' });
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    const loaded = unwrapped.length;
    await h.engine.decide(s.bob, change.request.id, 'rollback');
    expect(await replica.dropStaleKeys()).toBe(1);
    expect(unwrapped.slice(0, loaded).every(allZero)).toBe(true);
    // Active again under the restored key: the next read unwraps afresh and works.
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
  });

  it('keeps a replica\'s cache while the instance stays active at the same generation', async () => {
    await replica.records.get(ref, 'invoice/1');
    expect(await replica.dropStaleKeys()).toBe(0);
    expect(unwrapped.some(allZero)).toBe(false);
  });
});
