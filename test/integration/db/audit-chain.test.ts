import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { anAuditEntry } from './fixtures/models.js';

describe(`the audit chain (${testEngine})`, () => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await createTestDatabase();
    uow = db.uow;
  });
  afterAll(() => db.dispose());

  it('starts at the genesis head with no anchor', async () => {
    expect(await uow.run((s) => s.audit.lockHead())).toEqual({ seq: 0, hash: '0'.repeat(64) });
    expect(await uow.run((s) => s.audit.anchor())).toBeNull();
    expect(await uow.run((s) => s.audit.page(0, 10))).toEqual([]);
  });

  it('appends under the head lock, moves the anchor, and pages and filters entries', async () => {
    const appended = [];
    for (let i = 0; i < 5; i++) {
      appended.push(
        await uow.run(async (s) => {
          const head = await s.audit.lockHead();
          const entry = anAuditEntry(head.seq + 1, head.hash, { tenantId: i % 2 ? 'ten_b' : 'ten_a', instanceName: i < 3 ? 'prod' : 'dev' });
          await s.audit.insert(entry);
          return entry;
        }),
      );
    }
    const last = appended[4]!;
    expect(await uow.run((s) => s.audit.anchor())).toEqual({ seq: 5, hash: last.hash });
    expect(await uow.run((s) => s.audit.lockHead())).toEqual({ seq: 5, hash: last.hash });
    expect(appended[1]!.prevHash).toBe(appended[0]!.hash);

    expect(await uow.run((s) => s.audit.page(0, 100))).toEqual(appended);
    expect(await uow.run((s) => s.audit.page(2, 2))).toEqual(appended.slice(2, 4));
    expect((await uow.run((s) => s.audit.recent({}, 2))).map((e) => e.seq)).toEqual([5, 4]);
    expect((await uow.run((s) => s.audit.recent({ tenantId: 'ten_a' }, 10))).map((e) => e.seq)).toEqual([5, 3, 1]);
    expect((await uow.run((s) => s.audit.recent({ tenantId: 'ten_a', instanceName: 'prod' }, 10))).map((e) => e.seq)).toEqual([3, 1]);
  });

  it('serializes concurrent appenders on the head lock so the chain never forks', async () => {
    const start = (await uow.run((s) => s.audit.lockHead())).seq;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        uow.run(async (s) => {
          const head = await s.audit.lockHead();
          await s.audit.insert(anAuditEntry(head.seq + 1, head.hash));
        }),
      ),
    );
    const chain = await uow.run((s) => s.audit.page(start, 100));
    expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => start + i + 1));
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.prevHash).toBe(chain[i - 1]!.hash);
    expect((await uow.run((s) => s.audit.anchor()))?.seq).toBe(start + 12);
  });
});
