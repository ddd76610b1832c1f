import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import type { Actor } from '../../../core/model/actor.js';
import { inboxEntries, outbox } from '../../../db/schema/index.js';
import { addApprovedAdmin, asCli, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { assertInvariants } from '../../support/invariants.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
const schedule = nodeCronSchedule();

describe('k-of-n approvals', () => {
  let h: Harness;
  let s: Seeded;
  let dan: Actor;

  /** The instance on the fixture key (approved the ordinary way), past the lock cooldown. */
  async function customerKeyed(): Promise<void> {
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    h.clock.advanceHours(72);
  }
  const requestLock = () => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
  const state = async () => (await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance)))!.state;
  const rows = () => h.db.database.transaction((tx) => tx.select().from(outbox));

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    dan = asCli(await addApprovedAdmin(h, s, { email: 'dan@example.com', name: 'Dan', role: 'global_admin', instances: [], identities: [] }));
    h.clock.advanceHours(1 / 60);
  });
  afterEach(() => h.dispose());

  it('with 2 required, a lock Ann requested needs Bob and Cat: after Bob it is pending at "1 of 2", after Cat it is approved', async () => {
    await customerKeyed();
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsLock: 2 }, schedule);
    const lock = await requestLock();
    expect(lock.settings?.approvalsRequired).toBe(2);
    const first = await h.engine.decide(s.bob, lock.id, 'approve');
    expect(first.state).toBe('pending');
    expect(first.progress).toMatchObject({ required: 2, approvers: [{ adminId: s.bob.admin.id, name: 'Bob' }] });
    expect(await state()).toBe('active');
    const second = await h.engine.decide(s.cat, lock.id, 'approve');
    expect(second).toMatchObject({ state: 'approved', decidedBy: s.cat.admin.id });
    expect(await state()).toBe('locked');
    const audit = await h.engine.listAudit({ tenantId: s.tenant.id }, 50);
    const approvals = audit.filter((e) => e.requestId === lock.id && e.action === 'approve' && e.result === 'ok').reverse();
    expect(approvals.map((e) => [e.actor.email, e.details.outcome])).toEqual([['bob@example.com', 'approval_recorded'], ['cat@example.com', 'lock_approved']]);
    expect(approvals[1]!.details.approvedWith).toBe('bob@example.com');
    const decided = (await rows()).filter((r) => r.requestId === lock.id && r.message.event === 'request_decided');
    expect(decided[0]!.message.title).toContain('approved by bob@example.com and cat@example.com');
    await assertInvariants(h, s.tenant.id);
  });

  it('counts Bob twice once (approval_already_recorded) and still refuses the requester', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, request.id, 'approve');
    const again = await refusal(() => h.engine.decide({ ...s.bob, transport: 'slack' }, request.id, 'approve'));
    expect(again.code).toBe('approval_already_recorded');
    expect(again.message).toContain('1 of 2 approvals');
    expect((await refusal(() => h.engine.decide(s.ann, request.id, 'approve'))).code).toBe('self_approval');
    expect((await h.db.uow.run((store) => store.requests.byId(request.id)))!.state).toBe('pending');
    expect(await h.db.uow.run((store) => store.requestApprovals.list(request.id))).toHaveLength(1);
    expect((await h.engine.decide(s.cat, request.id, 'approve')).state).toBe('approved');
    await assertInvariants(h, s.tenant.id);
  });

  it('ends at once on one roll back, even by the requester, after an approval was recorded', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, request.id, 'approve');
    expect((await h.engine.decide(s.ann, request.id, 'rollback')).state).toBe('rolled_back');
    expect((await refusal(() => h.engine.decide(s.cat, request.id, 'approve'))).code).toBe('request_closed');
    await assertInvariants(h, s.tenant.id);
  });

  it('stops counting the approval of an admin removed from the roster since', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, request.id, 'approve');
    const removal = await h.engine.requestAdminChange(s.ann, { operation: 'admin_remove', email: 'bob@example.com' });
    await h.engine.decide(dan, removal.id, 'approve');
    const cat = await h.engine.decide(s.cat, request.id, 'approve');
    expect(cat.state).toBe('pending');
    expect(cat.progress?.approvers.map((a) => a.name)).toEqual(['Cat']);
    expect((await h.engine.decide(dan, request.id, 'approve')).state).toBe('approved');
  });

  it('refuses with approvals_changed the approval that reached the count when a counted approver is removed before it commits', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, request.id, 'approve');
    const removal = await h.engine.requestAdminChange(s.ann, { operation: 'admin_remove', email: 'bob@example.com' });
    // Cat's approval has counted Bob's; Bob's removal commits before her decision does.
    h.faults.runAt('approval:counted', () => h.engine.decide(dan, removal.id, 'approve'));
    const raced = await refusal(() => h.engine.decide(s.cat, request.id, 'approve'));
    expect(raced.code).toBe('approvals_changed');
    expect(raced.message).toContain('bob@example.com');
    expect((await h.db.uow.run((store) => store.requests.byId(request.id)))!.state).toBe('pending');
    expect((await h.db.uow.run((store) => store.admins.byEmail(s.tenant.id, 'bob@example.com')))).toBeNull();
    const again = await h.engine.decide(s.cat, request.id, 'approve');
    expect(again.progress?.approvers.map((a) => a.name)).toEqual(['Cat']);
    expect((await h.engine.decide(dan, request.id, 'approve')).state).toBe('approved');
    await assertInvariants(h, s.tenant.id);
  });

  it('refuses with not_admin a single approval whose approver is removed before it commits, and the change stays pending', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    const removal = await h.engine.requestAdminChange(s.ann, { operation: 'admin_remove', email: 'bob@example.com' });
    h.faults.runAt('approval:counted', () => h.engine.decide(dan, removal.id, 'approve'));
    expect((await refusal(() => h.engine.decide(s.bob, request.id, 'approve'))).code).toBe('not_admin');
    expect((await h.db.uow.run((store) => store.requests.byId(request.id)))!.state).toBe('pending');
    expect((await h.engine.decide(s.cat, request.id, 'approve')).state).toBe('approved');
    await assertInvariants(h, s.tenant.id);
  });

  it('does not lock on the approval of an admin removed before it commits (not_admin); the instance stays active', async () => {
    await customerKeyed();
    const lock = await requestLock();
    const removal = await h.engine.requestAdminChange(s.ann, { operation: 'admin_remove', email: 'bob@example.com' });
    h.faults.runAt('approval:counted', () => h.engine.decide(dan, removal.id, 'approve'));
    expect((await refusal(() => h.engine.decide(s.bob, lock.id, 'approve'))).code).toBe('not_admin');
    expect(await state()).toBe('active');
    expect((await h.db.uow.run((store) => store.requests.byId(lock.id)))!.state).toBe('pending');
    await assertInvariants(h, s.tenant.id);
  });

  it('decides exactly once when 20 approvals by Bob and Cat race a reject by Dan', async () => {
    await customerKeyed();
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsLock: 2 }, schedule);
    const lock = await requestLock();
    const calls = [
      ...Array.from({ length: 20 }, (_, i) => () => h.engine.decide(i % 2 ? s.cat : s.bob, lock.id, 'approve')),
      () => h.engine.decide(dan, lock.id, 'reject'),
    ];
    const settled = await Promise.allSettled(calls.map((c) => c()));
    const decided = settled.flatMap((r) => (r.status === 'fulfilled' && r.value.state !== 'pending' ? [r.value] : []));
    expect(decided).toHaveLength(1);
    const codes = settled.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []));
    expect(new Set(codes).size === 0 || [...new Set(codes)].every((c) => c === 'request_closed' || c === 'approval_already_recorded')).toBe(true);
    const final = (await h.db.uow.run((store) => store.requests.byId(lock.id)))!;
    expect(final.state).toBe(decided[0]!.state);
    const audit = await h.engine.listAudit({ tenantId: s.tenant.id }, 200);
    const outcomes = audit.filter((e) => e.requestId === lock.id && e.result === 'ok' && (e.details.outcome === 'lock_approved' || e.details.outcome === 'rejected'));
    expect(outcomes).toHaveLength(1);
    // At most one recorded approval: the second distinct approver decides rather than records.
    expect((await h.db.uow.run((store) => store.requestApprovals.list(lock.id))).length).toBeLessThanOrEqual(1);
    expect(await state()).toBe(final.state === 'approved' ? 'locked' : 'active');
    expect((await rows()).filter((r) => r.requestId === lock.id && r.message.event === 'request_decided' && r.adminId === s.ann.admin.id)).toHaveLength(1);
    await assertInvariants(h, s.tenant.id);
  });

  it('shows "1 of 2 approvals" and who approved on every copy, keeping the buttons; inbox entries stay actionable', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, request.id, 'approve');
    const all = (await rows()).filter((r) => r.requestId === request.id);
    const originals = all.filter((r) => r.message.event === 'key_change_opened');
    // The opening alert says up front what the request needs.
    expect(originals[0]!.message.facts).toContainEqual(['Approvals', '0 of 2 approvals']);
    const updates = all.filter((r) => r.message.event === 'approval_recorded');
    expect(originals.length).toBeGreaterThan(0);
    expect(updates.map((u) => u.updateOf).sort()).toEqual(originals.map((o) => o.id).sort());
    for (const u of updates) {
      expect(u.kind).toBe('update');
      expect(u.message.title).toMatch(/^1 of 2 approvals \(Bob\) — Key changed on crm-prod/);
      expect(u.message.facts).toContainEqual(['Approvals', expect.stringMatching(/^1 of 2 approvals: Bob <bob@example.com> at /)]);
      expect(u.message.actions.map((a) => a.id)).toEqual(['approve', 'rollback']);
    }
    const inbox = (await h.db.database.transaction((tx) => tx.select().from(inboxEntries))).filter((e) => e.requestId === request.id);
    expect(inbox.filter((e) => e.message.event === 'key_change_opened').every((e) => e.actionable && e.resolution === null)).toBe(true);
    expect(inbox.filter((e) => e.message.event === 'approval_recorded').map((e) => e.actionable)).toEqual(Array(4).fill(false));
    // The final decision updates the same copies once more, now without buttons.
    await h.engine.decide(s.cat, request.id, 'approve');
    const finals = (await rows()).filter((r) => r.requestId === request.id && r.message.event === 'request_decided' && r.kind === 'update');
    expect(finals.map((f) => f.updateOf).sort()).toEqual(expect.arrayContaining(originals.map((o) => o.id).sort()));
  });

  it('reminds only the admins who have not acted: not the requester, not Bob who approved', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, request.id, 'approve');
    const digest = await h.engine.buildDigest(s.tenant.id);
    expect(digest.facts.pending.find((p) => p.id === request.id)?.approvals).toEqual({ count: 1, required: 2 });
    expect(digest.message.facts.find(([label]) => label === `  ${request.id}`)?.[1]).toContain('by ann@example.com, 1 of 2 approvals — ');
    h.clock.advanceHours(71.5);
    expect(await h.engine.queueReminders([1])).toBe(2);
    const reminders = (await rows()).filter((r) => r.requestId === request.id && r.message.event === 'reminder');
    expect(reminders.map((r) => r.adminId).sort()).toEqual([s.cat.admin.id, dan.admin.id].sort());
    expect(reminders[0]!.message.facts).toContainEqual(['Approvals', expect.stringMatching(/^1 of 2 approvals: Bob <bob@example.com>/)]);
  });

  it('applies a raised count to new requests only: an open lock still needs one approver', async () => {
    await customerKeyed();
    const open = await requestLock();
    expect(open.settings?.approvalsRequired).toBe(1);
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsLock: 3 }, schedule);
    expect((await h.engine.decide(s.bob, open.id, 'approve')).state).toBe('approved');
  });

  it('treats lowering the count as a weakening change that never reaches open requests', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 2 }, schedule);
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { approvalsKeyChange: 1 }, schedule))).code).toBe('settings_change_needs_approval');
    const out = await h.engine.requestSettingsChange(s.ann, { approvalsKeyChange: 1 }, schedule);
    expect(out.applied).toEqual([]);
    expect(out.request?.payload.summary).toBe('approvals required (key change) 2 → 1');
    await h.engine.decide(s.bob, out.request!.id, 'approve');
    const tenant = await h.db.uow.run((store) => store.tenants.byId(s.tenant.id));
    expect(tenant!.settings.approvalsKeyChange).toBe(1);
    // The key change opened under 2 still needs two approvers.
    expect((await h.engine.decide(s.cat, request.id, 'approve')).state).toBe('pending');
    expect((await h.engine.decide(dan, request.id, 'approve')).state).toBe('approved');
  });

  it('refuses a count outside 1..9 with invalid_approvals_required and one the roster cannot meet with approvals_unreachable', async () => {
    for (const v of [0, 10, 1.5, -1]) {
      expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { approvalsLock: v }, schedule))).code).toBe('invalid_approvals_required');
    }
    // Four admins: a lock can need at most three besides its requester; three global admins: a roster change at most two.
    expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { approvalsLock: 4 }, schedule))).code).toBe('approvals_unreachable');
    expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { approvalsRoster: 3 }, schedule))).code).toBe('approvals_unreachable');
    expect((await h.engine.updateTenantSettings(s.tenant.id, { approvalsLock: 3, approvalsRoster: 2 }, schedule)).settings).toMatchObject({ approvalsLock: 3, approvalsRoster: 2 });
  });

  it('needs two global admins besides the requester for a roster change when approvalsRoster is 2', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { approvalsRoster: 2 }, schedule);
    const r = await h.engine.requestAdminChange(s.ann, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], identities: [] });
    expect((await h.engine.decide(s.bob, r.id, 'approve')).state).toBe('pending');
    expect((await refusal(() => h.engine.adminByEmail(s.tenant.id, 'eve@example.com'))).code).toBe('admin_not_found');
    expect((await h.engine.decide(dan, r.id, 'approve')).state).toBe('approved');
    expect((await h.engine.adminByEmail(s.tenant.id, 'eve@example.com')).name).toBe('Eve');
  });
});
