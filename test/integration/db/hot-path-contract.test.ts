import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.js';
import type { Instance } from '../../../core/model/instance.js';
import type { HotPath } from '../../../core/ports/hot-path.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { connectToServe } from '../../../db/connect-to-serve.js';
import type { Database } from '../../../db/database.js';
import { createPostgresDatabase } from '../../../db/postgres-database.js';
import { shareOverSocket } from '../../../db/share-over-socket.js';
import { createUnitOfWork } from '../../../db/unit-of-work.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { T0, aRecord, aTenant, anInstance, hoursAfter, newId, sealedPart } from './fixtures/models.js';

/** A HotPath adapter under test: the store it writes to (to arrange and check through repositories) and its own hot path. */
interface Adapter {
  uow: UnitOfWork;
  hot: HotPath;
  /** Runs raw SQL on the session the hot path uses (PGlite: to drop its prepared statements). */
  database: Database;
  /** The server database it uses (PostgreSQL only), to watch its sessions from outside. */
  databaseUrl: string | null;
  dispose(): Promise<void>;
}

const adapters: Array<{ name: string; open: () => Promise<Adapter> }> = [
  {
    name: testEngine === 'pglite' ? 'PGlite, prepared statements over the simple protocol' : 'PostgreSQL server, prepared by postgres.js',
    open: async () => {
      const db = await createTestDatabase();
      return { uow: db.uow, hot: db.uow.hot, database: db.database, databaseUrl: db.databaseUrl, dispose: () => db.dispose() };
    },
  },
  testEngine === 'pglite'
    ? {
        name: 'a CLI process over the serve socket (unprepared)',
        open: async () => {
          const owner: TestDatabase = await createTestDatabase({ onDisk: true });
          await shareOverSocket(owner.database, owner.dataDir!);
          const client = (await connectToServe(owner.dataDir!, 5_000))!;
          const uow = createUnitOfWork(client);
          return { uow, hot: uow.hot, database: client, databaseUrl: null, dispose: async () => { await client.close(); await owner.dispose(); } };
        },
      }
    : {
        name: 'PostgreSQL server, unprepared',
        open: async () => {
          const owner = await createTestDatabase();
          const client = createPostgresDatabase(postgres(owner.databaseUrl!, { max: 2, onnotice: () => {} }), { prepare: false });
          const uow = createUnitOfWork(client);
          return { uow, hot: uow.hot, database: client, databaseUrl: owner.databaseUrl, dispose: async () => { await client.close(); await owner.dispose(); } };
        },
      },
];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(adapters)('HotPath contract: $name', ({ open }) => {
  let a: Adapter;
  beforeAll(async () => {
    a = await open();
  });
  afterAll(() => a.dispose());

  async function activeInstance(over: Partial<Instance> = {}): Promise<Instance> {
    const tenant = aTenant();
    const instance = anInstance(tenant.id, over);
    await a.uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
    });
    return instance;
  }

  it('finds the grant of a token with the instance state, generation and drain window, and nothing for an unknown token', async () => {
    const instance = await activeInstance();
    const hash = sha(`token-${instance.id}`);
    await a.uow.run((s) => s.tokens.insert({ id: newId('tok'), instanceId: instance.id, tokenHash: hash, createdAt: T0 }));
    expect(await a.hot.grant(hash)).toEqual({
      instanceId: instance.id, tenantId: instance.tenantId, name: instance.name, state: 'active', generation: 1, drainUntil: null, tokenHash: hash,
    });
    await a.uow.run((s) => s.instances.update(instance.id, 1, { state: 'locking', drainUntil: hoursAfter(1) }));
    expect(await a.hot.grant(hash)).toMatchObject({ state: 'locking', generation: 2, drainUntil: hoursAfter(1) });
    expect(await a.hot.grant(sha('nobody'))).toBeNull();
  });

  it('writes, overwrites and reads back a record byte for byte, telling whether it existed', async () => {
    const instance = await activeInstance();
    const first = aRecord('customers/42');
    expect(await a.hot.writeRecord(instance.id, 1, first)).toEqual({ outcome: 'ok', existed: false });
    const second = aRecord('customers/42', { dekVersion: 2, updatedAt: hoursAfter(1) });
    expect(await a.hot.writeRecord(instance.id, 1, second)).toEqual({ outcome: 'ok', existed: true });
    const read = await a.hot.readRecord(instance.id, 'customers/42');
    // A read returns what decryption needs: the caller knows the key, and the age is not read on this path.
    expect(read).toEqual({ state: 'active', generation: 1, record: sealedPart(second) });
    expect(Buffer.isBuffer(read?.record?.ciphertext)).toBe(true);
    // The transactional repository reads what the hot path wrote, and the other way round.
    expect(await a.uow.run((s) => s.records.read(instance.id, 'customers/42'))).toEqual(read);
    expect(await a.hot.readRecord(instance.id, 'nope')).toEqual({ state: 'active', generation: 1, record: null });
    expect(await a.hot.readRecord('ins_missing', 'customers/42')).toBeNull();
  });

  it('keeps keys with quotes, backslashes, dollar signs and non-Latin text exactly as given', async () => {
    const instance = await activeInstance();
    const keys = ["o'brien", 'C:\\temp\\x', "a'';drop table records;--", '$$ $1 $q$', 'Ünïcødé/日本/🔑', "E'\\x00'"];
    const written = keys.map((key) => aRecord(key));
    for (const record of written) expect(await a.hot.writeRecord(instance.id, 1, record)).toEqual({ outcome: 'ok', existed: false });
    expect((await a.uow.run((s) => s.records.all(instance.id))).map((r) => r.key).sort()).toEqual([...keys].sort());
    // Each key finds its own record, not a neighbour's.
    for (const record of written) expect((await a.hot.readRecord(instance.id, record.key))?.record).toEqual(sealedPart(record));
  });

  it('refuses a write with not_active once the instance is locking, and stale after a generation bump', async () => {
    const locked = await activeInstance();
    await a.uow.run((s) => s.instances.update(locked.id, 1, { state: 'locking' }));
    expect(await a.hot.writeRecord(locked.id, 2, aRecord('a'))).toEqual({ outcome: 'not_active', state: 'locking' });
    expect(await a.hot.readRecord(locked.id, 'a')).toEqual({ state: 'locking', generation: 2, record: null });

    const rotated = await activeInstance();
    await a.uow.run((s) => s.instances.update(rotated.id, 1, { protectorId: 'pro_rotated' }));
    expect(await a.hot.writeRecord(rotated.id, 1, aRecord('a'))).toEqual({ outcome: 'stale', generation: 2 });
    expect(await a.uow.run((s) => s.records.all(rotated.id))).toEqual([]);
    expect(await a.hot.writeRecord(rotated.id, 2, aRecord('a'))).toEqual({ outcome: 'ok', existed: false });
  });

  it('refuses a write to an instance that does not exist with instance_not_found', async () => {
    const error = await a.hot.writeRecord('ins_missing', 1, aRecord('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('instance_not_found');
  });

  it.skipIf(testEngine === 'pglite')('makes a write racing a state change wait for that transaction, then see the locked state', async () => {
    const instance = await activeInstance();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let changed!: () => void;
    const stateChanged = new Promise<void>((resolve) => (changed = resolve));
    // A plain state change (no lockById): the FOR UPDATE that instances.update takes is what a hot-path write must wait for.
    const locking = a.uow.run(async (s) => {
      await s.instances.update(instance.id, 1, { state: 'locked' });
      changed();
      await held;
    });
    await stateChanged;
    const write = a.hot.writeRecord(instance.id, 1, aRecord('late'));
    let settled = false;
    void write.finally(() => (settled = true));
    expect(await waitUntilBlockedOnALock(a.databaseUrl!)).toBe(true);
    expect(settled).toBe(false);
    release();
    await locking;
    expect(await write).toEqual({ outcome: 'not_active', state: 'locked' });
    expect(await a.uow.run((s) => s.records.all(instance.id))).toEqual([]);
  });

  it('answers many first calls at once and keeps working after the session drops its prepared statements', async () => {
    const instance = await activeInstance();
    const records = Array.from({ length: 20 }, (_, i) => aRecord(`k${i}`));
    const writes = await Promise.all(records.map((r) => a.hot.writeRecord(instance.id, 1, r)));
    expect(writes.every((w) => w.outcome === 'ok')).toBe(true);
    await a.database.transaction((tx) => tx.execute(sql`deallocate all`));
    expect((await a.hot.readRecord(instance.id, 'k7'))?.record).toEqual(sealedPart(records[7]!));
  });
});

/** Polls the server until a session of this database waits on a lock in an insert into records; false if none does within ~5 s. */
async function waitUntilBlockedOnALock(databaseUrl: string): Promise<boolean> {
  const probe = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < 500; i++) {
      const [row] = await probe`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into records%'`;
      if ((row as { n: number }).n > 0) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  } finally {
    await probe.end();
  }
}
