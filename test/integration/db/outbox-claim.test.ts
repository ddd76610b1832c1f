import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../../core/model/outbox-message.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { outbox } from '../../../db/schema/index.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { hoursAfter, newId, T0 } from './fixtures/models.js';

const minutes = (m: number, from: Date = T0) => new Date(from.getTime() + m * 60_000);
const LEASE = 2;

/** An outbox row due at `createdAt` (rows are written due at once). */
function aRow(over: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: newId('out'),
    tenantId: 'ten_1',
    eventId: 'evt_1',
    adminId: 'adm_1',
    address: null,
    channel: 'email',
    message: { event: 'key_change_opened', title: 'Key changed on prod', facts: [['Instance', 'prod']], actions: [], status: null, requestId: 'r-1', instanceName: 'prod' },
    kind: 'deliver',
    updateOf: null,
    dedupeKey: null,
    requestId: 'r-1',
    createdAt: T0,
    ...over,
  };
}

describe(`the outbox claims due rows once, with leases and fencing (${testEngine})`, () => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await createTestDatabase();
    uow = db.uow;
  });
  // Claims are global, so rows one test leaves due would be claimed in the next: start each from an empty outbox.
  beforeEach(() => db.database.transaction(async (tx) => void (await tx.delete(outbox))));
  afterAll(() => db.dispose());

  const insert = (rows: OutboxMessage[]) => uow.run((s) => s.outbox.insert(rows));
  const claim = (now: Date, limit = 10) => uow.run((s) => s.outbox.claim(now, minutes(LEASE, now), limit));

  it('claims only due rows, oldest due first, up to the limit, and not again while the lease runs', async () => {
    const [late, first, second, third] = [aRow({ createdAt: hoursAfter(5) }), aRow({ createdAt: T0 }), aRow({ createdAt: minutes(1) }), aRow({ createdAt: minutes(2) })];
    expect(await insert([late!, third!, first!, second!])).toBe(4);

    const batch = await claim(minutes(10), 2);
    expect(batch.map((r) => r.id)).toEqual([first!.id, second!.id]);
    expect(batch[0]).toMatchObject({ state: 'sending', attempts: 1, leaseUntil: minutes(12), uncertain: false });
    expect((await claim(minutes(10))).map((r) => r.id)).toEqual([third!.id]);
    expect(await claim(minutes(11))).toEqual([]);
    expect(await uow.run((s) => s.outbox.byId(late!.id))).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('never claims rows that are sent or failed, and claims a retried row once its next attempt is due', async () => {
    const [sent, failed, retried] = [aRow(), aRow(), aRow()];
    await insert([sent!, failed!, retried!]);
    await claim(T0);
    await uow.run(async (s) => {
      expect(await s.outbox.markSent(sent!.id, 1, { messageId: '<a@dualkey>' }, minutes(1))).toBe(true);
      expect(await s.outbox.markUnsent(failed!.id, 1, '550 no such user', { failed: true })).toBe(true);
      expect(await s.outbox.markUnsent(retried!.id, 1, '451 try later', { retryAt: minutes(30) })).toBe(true);
    });
    expect(await uow.run((s) => s.outbox.byId(retried!.id))).toMatchObject({ state: 'pending', nextAttemptAt: minutes(30), leaseUntil: null, lastError: '451 try later' });
    expect(await claim(minutes(29))).toEqual([]);
    const again = await claim(minutes(30));
    expect(again.map((r) => [r.id, r.attempts, r.uncertain])).toEqual([[retried!.id, 2, false]]);
    expect(await uow.run((s) => s.outbox.byId(sent!.id))).toMatchObject({ state: 'sent', sentAt: minutes(1), platformRef: { messageId: '<a@dualkey>' } });
    expect(await uow.run((s) => s.outbox.failed('ten_1', 10))).toEqual([expect.objectContaining({ id: failed!.id, state: 'failed', attempts: 1, lastError: '550 no such user' })]);
    expect(await uow.run((s) => s.outbox.failed('ten_other', 10))).toEqual([]);
  });

  it('skips a row whose dedupe key was already written, in another call or the same batch', async () => {
    const digest = (createdAt: Date) => aRow({ dedupeKey: 'digest:adm_1:2030-01-02', createdAt });
    expect(await insert([digest(T0), aRow({ dedupeKey: null }), aRow({ dedupeKey: null })])).toBe(3);
    expect(await insert([digest(minutes(1))])).toBe(0);
    expect(await insert([aRow({ dedupeKey: 'reminder:r-1:24h' }), aRow({ dedupeKey: 'reminder:r-1:24h' })])).toBe(1);
    expect(await insert([])).toBe(0);
    expect(await claim(minutes(5))).toHaveLength(4);
  });

  it('holds an update until the row it updates is sent or failed', async () => {
    const original = aRow();
    const update = aRow({ kind: 'update', updateOf: original.id, createdAt: minutes(1) });
    const orphan = aRow({ kind: 'update', updateOf: 'out_gone', createdAt: minutes(1) });
    await insert([original, update, orphan]);
    // The original is still pending: only it (and the update whose original no longer exists) is due.
    expect((await claim(minutes(2), 1)).map((r) => r.id)).toEqual([original.id]);
    expect((await claim(minutes(2))).map((r) => r.id)).toEqual([orphan.id]);
    await uow.run((s) => s.outbox.markUnsent(original.id, 1, '451', { retryAt: minutes(3) }));
    expect(await claim(minutes(2))).toEqual([]);
    expect((await claim(minutes(3))).map((r) => r.id)).toEqual([original.id]);
    await uow.run((s) => s.outbox.markSent(original.id, 2, { messageId: '<o@dualkey>' }, minutes(3)));
    expect((await claim(minutes(3))).map((r) => r.id)).toEqual([update.id]);
    await uow.run(async (s) => {
      await s.outbox.markSent(update.id, 1, { messageId: '<u@dualkey>' }, minutes(3));
      await s.outbox.markSent(orphan.id, 1, { messageId: '<x@dualkey>' }, minutes(3));
    });

    const other = aRow({ createdAt: minutes(10) });
    const itsUpdate = aRow({ kind: 'update', updateOf: other.id, createdAt: minutes(10) });
    await insert([other, itsUpdate]);
    await claim(minutes(10), 1);
    await uow.run((s) => s.outbox.markUnsent(other.id, 1, '550', { failed: true }));
    expect((await claim(minutes(10))).map((r) => r.id)).toEqual([itsUpdate.id]);
  });

  it('makes a row whose lease ran out claimable again, flagged uncertain', async () => {
    const row = aRow();
    await insert([row]);
    await claim(T0);
    expect(await claim(minutes(LEASE - 0.5))).toEqual([]);
    const [taken] = await claim(minutes(LEASE));
    expect(taken).toMatchObject({ id: row.id, state: 'sending', attempts: 2, leaseUntil: minutes(2 * LEASE), uncertain: true });
    // The flag describes the claim, not the row: reads do not carry it.
    expect(await uow.run((s) => s.outbox.byId(row.id))).not.toHaveProperty('uncertain');
  });

  it('lets only the newest attempt settle a row: a worker whose lease ran out loses (fencing)', async () => {
    const row = aRow();
    await insert([row]);
    await claim(T0);
    await claim(minutes(LEASE));
    await uow.run(async (s) => {
      expect(await s.outbox.markSent(row.id, 1, { messageId: '<stale@dualkey>' }, minutes(3))).toBe(false);
      expect(await s.outbox.markUnsent(row.id, 1, 'stale worker', { failed: true })).toBe(false);
      expect(await s.outbox.markSent(row.id, 2, { messageId: '<new@dualkey>' }, minutes(3))).toBe(true);
      // Settled rows are not `sending` any more: a repeat of the winning attempt changes nothing.
      expect(await s.outbox.markUnsent(row.id, 2, 'late error', { retryAt: minutes(9) })).toBe(false);
    });
    expect(await uow.run((s) => s.outbox.byId(row.id))).toMatchObject({ state: 'sent', attempts: 2, platformRef: { messageId: '<new@dualkey>' }, lastError: null, leaseUntil: null });
  });

  it('lists the deliver-rows about a request for one admin and channel, oldest first', async () => {
    const newer = aRow({ createdAt: minutes(5) });
    const older = aRow({ createdAt: T0 });
    await insert([
      newer,
      older,
      aRow({ kind: 'update', updateOf: older.id, createdAt: minutes(6) }),
      aRow({ channel: 'slack' }),
      aRow({ adminId: 'adm_2' }),
      aRow({ requestId: 'r-2' }),
    ]);
    expect((await uow.run((s) => s.outbox.forRequest('r-1', { adminId: 'adm_1' }, 'email'))).map((r) => r.id)).toEqual([older.id, newer.id]);
  });

  it.skipIf(testEngine === 'pglite')('gives two concurrent claims on separate connections disjoint rows (PGlite has one backend, so its transactions never overlap)', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => aRow({ createdAt: minutes(i / 10) }));
    await insert(rows);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstClaimed!: (ids: string[]) => void;
    const first = new Promise<string[]>((resolve) => (firstClaimed = resolve));
    // The first claim keeps its transaction (and row locks) open while the second one runs.
    const firstTx = uow.run(async (s) => {
      firstClaimed((await s.outbox.claim(minutes(5), minutes(7), 12)).map((r) => r.id));
      await held;
    });
    const a = await first;
    const b = (await claim(minutes(5), 20)).map((r) => r.id);
    release();
    await firstTx;
    expect(a).toHaveLength(12);
    expect(b).toHaveLength(8);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(new Set([...a, ...b])).toEqual(new Set(rows.map((r) => r.id)));
  });
});
