import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

describe('status of a whole tenant', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('shows each instance with its own current key and pending request, and no other tenant\'s instances', async () => {
    await h.engine.createInstance(s.tenant.id, 'billing');
    const other = await h.engine.createTenant('globex', { selfManagedKeys: true });
    await h.engine.createInstance(other.id, 'globex-prod');
    const changed = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });

    const list = await h.engine.status(s.tenant.id);
    expect(list.map((i) => i.instance)).toEqual(['billing', s.instance]);
    const [billing, crm] = list;
    expect(crm).toMatchObject({ keyMode: 'customer', protector: { fingerprint: changed.protector.fingerprint, kind: 'pfx' }, pendingRequest: { id: changed.request.id, type: 'key_change' } });
    expect(billing).toMatchObject({ keyMode: 'service', protector: { kind: 'service', name: 'billing Service-managed Key' }, pendingRequest: null });
    expect(billing!.protector.fingerprint).not.toBe(crm!.protector.fingerprint);
    expect(await h.engine.status(s.tenant.id, 'billing')).toEqual([billing]);
  });

  it('shows a locked instance\'s key destruction and a key-access problem as the single-instance status does', async () => {
    const upload = { kind: 'upload' as const, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } };
    const up = await h.engine.changeKey(s.ann, s.instance, upload);
    await h.engine.decide(s.bob, up.request.id, 'approve');
    h.clock.advanceHours(73);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: upload.upload });
    await h.engine.decide(s.bob, lock.id, 'approve');
    const billing = await h.engine.createInstance(s.tenant.id, 'billing');
    // As the key-access health check records it.
    expect(await h.engine.deps.uow.run((store) => store.protectors.compareAndSetAccessProblem(billing.protectorId, null, 'the key is disabled', true))).toBe(true);

    const list = await h.engine.status(s.tenant.id);
    expect(list).toMatchObject([
      { instance: 'billing', state: 'active', keyAccessProblem: 'the key is disabled', keyDestruction: null },
      { instance: s.instance, state: 'locked', keyAccessProblem: null, keyDestruction: { outcome: 'destroyed', recoverableUntil: null } },
    ]);
    expect([...(await h.engine.status(s.tenant.id, 'billing')), ...(await h.engine.status(s.tenant.id, s.instance))]).toEqual(list);
  });

  it('refuses an unknown instance name with instance_not_found', async () => {
    expect((await refusal(() => h.engine.status(s.tenant.id, 'nope'))).code).toBe('instance_not_found');
  });
});
