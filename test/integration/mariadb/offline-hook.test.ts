import { execFileSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { WebhookChannel } from '../../../bot/channels/webhook-channel.js';
import { auditEntries, offlineHooks, outbox } from '../../../db/schema/index.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { startHookReceiver, type HookReceiver } from '../../support/hook-receiver.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { SimulatedCrash } from '../../support/fault-hook.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });

/** The offline hook of a lock: signed events through the outbox, and the drain window while `locking`. */
describe('an offline hook on lock', () => {
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;
  let token: string;
  let hook: HookReceiver;
  let webhook: WebhookChannel;

  const state = async () => (await h.db.uow.run((store) => store.instances.byId(ref.instanceId)))!;
  const deliver = () => h.engine.deliverOutbox({ channels: { webhook } });
  const kvKey = () => h.engine.kv.key(token, s.instance, 1, null);

  /** Customer key, database keys, cooldown over, lock requested: what an approval acts on. Returns the lock and the protector's vault key. */
  async function lockRequested(): Promise<{ lockId: string; vaultKeyId: string }> {
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, change.request.id, 'approve');
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    const i = await state();
    const p = await h.db.uow.run((store) => store.protectors.byId(i.protectorId));
    return { lockId: lock.id, vaultKeyId: p!.vaultKeyId! };
  }

  async function setHook(): Promise<string> {
    const r = await h.engine.setOfflineHook(s.cat, s.instance, hook.url);
    hook.secret = r.secret;
    return r.secret!;
  }

  beforeAll(async () => {
    hook = await startHookReceiver();
  });
  afterAll(() => hook.close());
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    token = await h.engine.issueToken(s.tenant.id, s.instance);
    await h.engine.initDbKeys(s.tenant.id, s.instance, [1, 2]);
    webhook = new WebhookChannel({ target: (id) => h.engine.offlineHookTarget(id), clock: h.clock, timeoutMs: 5_000 });
    hook.calls.length = 0;
    hook.secret = null;
    hook.respond = () => 200;
  });
  afterEach(() => h.dispose());

  it('refuses hook URLs that are not https (http only to 127.0.0.1/localhost), carry credentials or a fragment, with hook_url_invalid; non-admins with not_admin', async () => {
    for (const bad of ['http://hooks.example.com/x', 'ftp://127.0.0.1/x', 'not a url', 'https://user:pw@hooks.example.com/x', 'https://hooks.example.com/x#frag', `https://hooks.example.com/${'a'.repeat(2048)}`]) {
      expect((await refusal(() => h.engine.setOfflineHook(s.ann, s.instance, bad))).code, bad).toBe('hook_url_invalid');
    }
    await h.engine.createInstance(s.tenant.id, 'other-db');
    expect((await refusal(() => h.engine.setOfflineHook(s.cat, 'other-db', 'https://hooks.example.com/x'))).code).toBe('not_admin');
    expect((await refusal(() => h.engine.setOfflineHook(s.ann, 'nope', 'https://hooks.example.com/x'))).code).toBe('instance_not_found');
    for (const ok of ['https://hooks.example.com/x', 'http://127.0.0.1:9/x', 'http://localhost:9/x']) {
      expect((await h.engine.setOfflineHook(s.ann, s.instance, ok)).url).toBe(ok);
    }
    const refused = await h.db.database.transaction((tx) => tx.select().from(auditEntries).where(eq(auditEntries.code, 'hook_url_invalid')));
    expect(refused.length).toBe(6);
  });

  it('stores the secret only sealed: not in the database, audit, outbox or logs; every admin is alerted; "none" removes it', async () => {
    const secret = await setHook();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const [row] = await h.db.database.transaction((tx) => tx.select().from(offlineHooks));
    expect(row!.url).toBe(hook.url);
    expect(row!.secretCiphertext.includes(Buffer.from(secret))).toBe(false);
    expect(row!.secretCiphertext.includes(Buffer.from(secret, 'hex'))).toBe(false);
    const everything = JSON.stringify([
      await h.db.database.transaction((tx) => tx.select().from(auditEntries)),
      await h.db.database.transaction((tx) => tx.select().from(outbox)),
      h.logger.lines,
    ]);
    expect(everything).not.toContain(secret);
    const alerts = await h.db.database.transaction((tx) => tx.select().from(outbox));
    expect(new Set(alerts.filter((a) => a.message.event === 'offline_hook_set').map((a) => a.adminId)).size).toBe(3);
    const audit = await h.db.database.transaction((tx) => tx.select().from(auditEntries).where(eq(auditEntries.action, 'offline_hook_set')));
    expect(audit.map((a) => [a.result, a.details])).toEqual([['ok', { url: hook.url }]]);
    // A row moved to another URL no longer opens (AAD binds the URL): a database writer cannot redirect the signed events.
    await h.db.database.transaction((tx) => tx.update(offlineHooks).set({ url: 'https://evil.example.com/' }));
    await expect(h.engine.offlineHookTarget(ref.instanceId)).rejects.toThrow();
    const removed = await h.engine.setOfflineHook(s.ann, s.instance, null);
    expect(removed).toEqual({ instance: s.instance, url: null, secret: null });
    expect(await h.engine.offlineHookTarget(ref.instanceId)).toBeNull();
  });

  it('posts a signed instance.locking once on approval; the 2xx ends the drain: keys destroyed, instance locked; unlock posts instance.unlocked', async () => {
    const secret = await setHook();
    const { lockId, vaultKeyId } = await lockRequested();
    const approvedAt = h.clock.now();
    await h.engine.decide(s.bob, lockId, 'approve');
    expect((await state()).state).toBe('locking');
    expect(await h.vault.publicKey(vaultKeyId)).not.toBeNull();
    const report = await deliver();
    expect(report.sent).toBe(1);
    expect(hook.calls).toHaveLength(1);
    const [call] = hook.calls;
    expect(call!.signatureValid).toBe(true);
    // The same signature from an independent tool: openssl's HMAC over "<timestamp>.<body>" with the secret text as key.
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-r'], { input: `${call!.headers['x-dualkey-timestamp']}.${call!.body}` }).toString().split(' ')[0];
    expect(call!.headers['x-dualkey-signature']).toBe(`sha256=${openssl}`);
    expect(call!.headers['x-dualkey-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(call!.headers['x-dualkey-timestamp']).toBe(String(Math.floor(h.clock.now().getTime() / 1000)));
    expect(call!.headers['idempotency-key']).toMatch(/\S/);
    expect(call!.json).toEqual({
      event: 'instance.locking', tenant: 'acme', instance: s.instance, requestId: lockId,
      at: approvedAt.toISOString(), drainUntil: new Date(approvedAt.getTime() + 120_000).toISOString(),
    });
    expect(call!.body).not.toContain(secret);
    expect((await state()).state).toBe('locked');
    expect(await h.vault.publicKey(vaultKeyId)).toBeNull();
    expect((await refusal(kvKey)).code).toBe('instance_locked');
    const ended = await h.db.database.transaction((tx) => tx.select().from(auditEntries).where(eq(auditEntries.action, 'lock_drain_ended')));
    expect(ended.map((a) => a.details)).toEqual([{ cause: 'hook_acknowledged', drainUntil: new Date(approvedAt.getTime() + 120_000).toISOString() }]);
    expect((await deliver()).sent).toBe(0);
    expect(hook.calls).toHaveLength(1);

    await h.engine.unlock(s.ann, s.instance, file());
    await deliver();
    expect(hook.calls.map((c) => [c.json.event, c.json.requestId, c.json.drainUntil, c.signatureValid])).toEqual([
      ['instance.locking', lockId, expect.any(String), true],
      ['instance.unlocked', null, null, true],
    ]);
    expect(hook.calls[1]!.headers['idempotency-key']).not.toBe(hook.calls[0]!.headers['idempotency-key']);
    expect((await kvKey()).material).toHaveLength(32);
  });

  it('during the drain the KV endpoint serves the keys and the data plane refuses; a 5xx is retried with backoff under the same idempotency key', async () => {
    await setHook();
    const { lockId } = await lockRequested();
    const before = (await kvKey()).material.toString('hex');
    hook.respond = () => 503;
    await h.engine.decide(s.bob, lockId, 'approve');
    expect((await refusal(() => h.engine.records.get(ref, 'invoice/1'))).code).toBe('instance_locked');
    expect((await refusal(() => h.engine.records.put(ref, 'invoice/9', Buffer.from('x')))).code).toBe('instance_locked');
    expect((await kvKey()).material.toString('hex')).toBe(before);
    // A fresh process (another replica) serves them too: the drain is in the database, not in a cache.
    expect((await h.restart().kv.key(token, s.instance, 1, 1)).material.toString('hex')).toBe(before);
    expect(await deliver()).toMatchObject({ sent: 0, retried: 1 });
    expect((await state()).state).toBe('locking');
    expect(await deliver()).toMatchObject({ sent: 0, retried: 0 }); // not due yet
    hook.respond = () => 204;
    h.clock.advanceMs(31_000);
    expect(await deliver()).toMatchObject({ sent: 1 });
    expect(hook.calls.map((c) => c.status)).toEqual([503, 204]);
    expect(hook.calls[0]!.headers['idempotency-key']).toBe(hook.calls[1]!.headers['idempotency-key']);
    expect((await state()).state).toBe('locked');
    expect((await refusal(kvKey)).code).toBe('instance_locked');
  });

  it('ends the drain at its deadline on the injected clock when the hook never answers 2xx, with the tenant setting fixed at approval', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { lockDrainSeconds: 60 }, nodeCronSchedule());
    await setHook();
    const { lockId, vaultKeyId } = await lockRequested();
    hook.respond = () => 500;
    await h.engine.decide(s.bob, lockId, 'approve');
    // A later change of the setting does not move the deadline of a lock already approved.
    await h.engine.updateTenantSettings(s.tenant.id, { lockDrainSeconds: 30 }, nodeCronSchedule());
    await deliver();
    h.clock.advanceMs(59_000);
    expect(await h.engine.sweepDrains()).toBe(0);
    expect((await kvKey()).material).toHaveLength(32);
    h.clock.advanceMs(1_000);
    // Refused from the deadline on, even before the scheduler has destroyed anything.
    expect((await refusal(kvKey)).code).toBe('instance_locked');
    expect((await state()).state).toBe('locking');
    expect(await h.engine.sweepDrains()).toBe(1);
    expect(await h.engine.sweepDrains()).toBe(0);
    expect((await state()).state).toBe('locked');
    expect(await h.vault.publicKey(vaultKeyId)).toBeNull();
    const ended = await h.db.database.transaction((tx) => tx.select().from(auditEntries).where(eq(auditEntries.action, 'lock_drain_ended')));
    expect(ended.map((a) => a.details.cause)).toEqual(['deadline']);
    // A late 2xx changes nothing.
    hook.respond = () => 200;
    h.clock.advanceMs(10 * 60_000);
    await deliver();
    expect((await state()).state).toBe('locked');
  });

  it('never lets a late retry of an earlier lock stop an unlocked database or end the drain of a later lock', async () => {
    await setHook();
    const first = await lockRequested();
    hook.respond = () => 500;
    await h.engine.decide(s.bob, first.lockId, 'approve');
    const firstDrain = (await state()).drainUntil!;
    expect(await deliver()).toMatchObject({ retried: 1 });
    h.clock.advanceMs(120_000);
    expect(await h.engine.sweepDrains()).toBe(1);
    await h.engine.unlock(s.ann, s.instance, file());
    hook.respond = () => 200;
    h.clock.advanceMs(60 * 60_000);
    expect(await deliver()).toMatchObject({ sent: 1, skipped: 1 });
    expect(hook.calls.map((c) => [c.json.event, c.status])).toEqual([['instance.locking', 500], ['instance.unlocked', 200]]);
    expect((await state()).state).toBe('active');
    // A second lock: an acknowledgement of the first lock's window does not end this one.
    const second = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await h.engine.decide(s.bob, second.id, 'approve');
    expect(await h.engine.endDrain(ref.instanceId, 'hook_acknowledged', firstDrain)).toBe(false);
    expect((await state()).state).toBe('locking');
    expect(await deliver()).toMatchObject({ sent: 1 });
    expect((await state()).state).toBe('locked');
  });

  it('refuses a drain setting outside 0..900 whole seconds with invalid_input', async () => {
    for (const bad of [-1, 901, 1.5, Number.NaN]) {
      expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { lockDrainSeconds: bad }, nodeCronSchedule()))).code, String(bad)).toBe('invalid_input');
    }
  });

  it('without a hook (or after "none"), a lock refuses the keys at once and destroys them at once; nothing is posted', async () => {
    await setHook();
    await h.engine.setOfflineHook(s.ann, s.instance, null);
    const { lockId, vaultKeyId } = await lockRequested();
    await h.engine.decide(s.bob, lockId, 'approve');
    expect((await state()).state).toBe('locked');
    expect(await h.vault.publicKey(vaultKeyId)).toBeNull();
    expect((await refusal(kvKey)).code).toBe('instance_locked');
    await deliver();
    expect(hook.calls).toHaveLength(0);
  });

  it('completes the lock when the process dies after the drain ended, and when it dies during the drain (I4)', async () => {
    await setHook();
    const { lockId, vaultKeyId } = await lockRequested();
    h.faults.arm('lock:committed');
    await expect(h.engine.decide(s.bob, lockId, 'approve')).rejects.toBeInstanceOf(SimulatedCrash);
    // Died during the drain: a restarted process still serves the keys until the deadline, then the sweep ends it.
    h.restart();
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 0, deferred: 0 });
    expect((await kvKey()).material).toHaveLength(32);
    h.faults.arm('lock:drain_ended');
    h.clock.advanceMs(120_000);
    await expect(h.engine.sweepDrains()).rejects.toBeInstanceOf(SimulatedCrash);
    // Died after the commit that ended the drain: refused, and recovery completes the destroy.
    expect((await state()).state).toBe('locking');
    expect((await refusal(() => h.restart().kv.key(token, s.instance, 1, null))).code).toBe('instance_locked');
    expect(await h.engine.recover()).toEqual({ completed: 1, compensated: 0, deferred: 0 });
    expect((await state()).state).toBe('locked');
    expect(await h.vault.publicKey(vaultKeyId)).toBeNull();
  });
});
