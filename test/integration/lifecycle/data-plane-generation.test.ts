import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { createEngine, type Engine } from '../../../core/engine.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { beforeNextUnwrap, observeUnwraps } from '../../support/observed-vault.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });

/**
 * Issue 12 item 1: the data plane's single statements report the instance's generation and state
 * themselves, so a replica that cached keys at an older generation notices on its next put or get
 * (no extra round trip to look), reloads, and never writes at the old generation.
 */
describe('a replica\'s data plane follows generation changes made elsewhere', () => {
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;
  let unwraps: number;
  let replica: Engine;

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    unwraps = 0;
    const counted = observeUnwraps(h.vault, () => unwraps++);
    replica = createEngine({ ...h.engine.deps, vault: counted });
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));
  });
  afterEach(() => h.dispose());

  async function generation(): Promise<number> {
    return (await h.db.uow.run((store) => store.instances.byId(ref.instanceId)))!.generation;
  }

  it('reads after a key change elsewhere with keys reloaded at the new generation', async () => {
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    const before = await generation();
    const loads = unwraps;
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    expect(await generation()).toBeGreaterThan(before);
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect(unwraps).toBeGreaterThan(loads);
    await h.engine.decide(s.bob, change.request.id, 'approve');
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
  });

  it('retries a put made at a cached stale generation at the current one, and the record reads back', async () => {
    await replica.records.put(ref, 'invoice/2', Buffer.from('first'));
    const loads = unwraps;
    await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    expect(await replica.records.put(ref, 'invoice/2', Buffer.from('second'))).toEqual({ created: false });
    expect(unwraps).toBeGreaterThan(loads);
    expect((await h.engine.records.get(ref, 'invoice/2')).toString()).toBe('second');
  });

  it('refuses a put and a get with instance_locked once a lock commits elsewhere, keeping the data', async () => {
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    await replica.records.put(ref, 'invoice/3', Buffer.from('kept'));
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect((await refusal(() => replica.records.put(ref, 'invoice/3', Buffer.from('late')))).code).toBe('instance_locked');
    expect((await refusal(() => replica.records.get(ref, 'invoice/3'))).code).toBe('instance_locked');
    await h.engine.unlock(s.ann, s.instance, file());
    expect((await replica.records.get(ref, 'invoice/3')).toString()).toBe('kept');
  });

  it('answers instance_locked, not a missing key, when a lock destroys the key while a fresh replica is unwrapping', async () => {
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    // The replica has read the instance as active; the lock commits and destroys the key before it asks the vault.
    const racing = createEngine({ ...h.engine.deps, vault: beforeNextUnwrap(h.vault, () => h.engine.decide(s.bob, lock.id, 'approve')) });
    expect((await refusal(() => racing.records.get(ref, 'invoice/1'))).code).toBe('instance_locked');
    expect((await h.db.uow.run((store) => store.instances.byId(ref.instanceId)))!.state).toBe('locked');
  });
});
