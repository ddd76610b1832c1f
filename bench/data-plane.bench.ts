import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createEngine } from '../core/engine.js';
import { noStepHook } from '../core/ports/step-hook.js';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { openPrivateDatabase } from './private-database.js';
import { preparedStatement } from '../db/prepared/prepared-statement.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { LocalVault } from '../vault/local-vault.js';
import { decryptRecord, encryptRecord, GCM_NONCE_BYTES, GCM_TAG_BYTES, recordAad } from '../core/crypto/envelope.js';
import { median, type BenchRow } from './bench-row.js';

export type { BenchRow };


async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t0) / 1000);
}

// Medians of this many alternating rounds per side (five: single rounds on a shared 2-core machine swing by ±10%).
const ROUNDS = 5;

const PLAIN_PUT = preparedStatement('bench_plain_put', 'insert into bench_plain values ($1::text, $2::bytea) on conflict (key) do update set value = excluded.value', ['text', 'bytea']);
const PLAIN_GET = preparedStatement('bench_plain_get', 'select value from bench_plain where key = $1::text', ['text']);

/**
 * Median ops/s of each side over ROUNDS rounds of `ops` calls; within a round the sides run one after
 * another, so a slow phase of the machine (or the server's checkpointer) hits all of them. Each side
 * gets keys of its own (`<side>-r<round>k<i>`), so a put always inserts and a get reads what its side put.
 */
async function alternatingRounds<S extends string>(ops: number, sides: Record<S, (key: string) => Promise<unknown>>): Promise<Record<S, number>> {
  const names = Object.keys(sides) as S[];
  const rates = new Map<S, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) rates.get(name)!.push(await time(ops, (i) => sides[name](`${name}-r${round}k${i}`)));
  }
  return Object.fromEntries(names.map((n) => [n, median(rates.get(n)!)])) as Record<S, number>;
}

/**
 * Data plane through core (AES-256-GCM, generation-guarded statements) against the same
 * number of plain single-statement upserts/selects of the same bytes on the same database,
 * both as prepared autocommit statements through the same statement runner.
 */
export async function benchDataPlane(ops = 2000): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dualkey-bench-'));
  // A database of its own: on a shared server database the local vault would meet an earlier run's identity.
  const priv = await openPrivateDatabase();
  const { database } = priv;
  try {
    const uow = createUnitOfWork(database);
    const vault = await LocalVault.open({ database, masterKey: randomBytes(32), keyDir: path.join(dir, 'keys'), now: () => systemClock.now() });
    const engine = createEngine({ uow, vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook });
    const tenant = await engine.createTenant(`bench-${randomBytes(4).toString('hex')}`, { selfManagedKeys: true });
    const instance = await engine.createInstance(tenant.id, 'bench');
    const ref = { instanceId: instance.id, tenantId: tenant.id, name: 'bench' };
    const value = randomBytes(1024);
    await database.transaction((tx) => tx.execute(sql`create table if not exists bench_plain (key text primary key, value bytea not null)`));
    // The baseline runs the way the data plane does: one prepared autocommit statement per call, no transaction around it.
    const plainPut = (key: string) => database.statements.run(PLAIN_PUT, [key, value]);
    const plainGet = (key: string) => database.statements.run(PLAIN_GET, [key]);
    // Warm both paths (JIT, DEK cache, prepared statements) before measuring.
    await time(200, (i) => engine.records.put(ref, `w${i}`, value));
    await time(200, (i) => plainPut(`w${i}`));
    // The guarded statements alone, with one sealed value: the part of the gap that is SQL, not cryptography.
    const generation = engine.records.deks.cachedGeneration(instance.id)!;
    const { deks, current } = await engine.records.deks.get(instance.id, generation);
    const sealed = encryptRecord(deks.get(current)!, recordAad(tenant.id, instance.id, 'bench', current), value, cryptoRandom);
    const dek = deks.get(current)!;
    // The ceiling: the plain statement carrying a fresh ciphertext (nonce and tag appended), no guard at all.
    // Its ratio is the most any guard could reach: what is left below it is the cost of AES-GCM itself.
    const aad = (key: string) => recordAad(tenant.id, instance.id, key, current);
    const ceilingPut = (key: string) => {
      const s = encryptRecord(dek, aad(key), value, cryptoRandom);
      return database.statements.run(PLAIN_PUT, [key, Buffer.concat([s.ciphertext, s.nonce, s.tag])]);
    };
    const ceilingGet = async (key: string) => {
      const [row] = await plainGet(key);
      const stored = row!.value as Uint8Array;
      const sealedValue = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
      const end = sealedValue.length - GCM_NONCE_BYTES - GCM_TAG_BYTES;
      return decryptRecord(dek, aad(key), { ciphertext: sealedValue.subarray(0, end), nonce: sealedValue.subarray(end, end + GCM_NONCE_BYTES), tag: sealedValue.subarray(end + GCM_NONCE_BYTES) });
    };
    // Gets read what the same side put (same key names), so every read finds its record.
    const put = await alternatingRounds(ops, {
      dualkey: (key) => engine.records.put(ref, key, value),
      guard: (key) => uow.hot.writeRecord(instance.id, generation, { key, ...sealed, dekVersion: current, updatedAt: systemClock.now() }),
      ceiling: (key) => ceilingPut(key),
      plain: (key) => plainPut(key),
    });
    const get = await alternatingRounds(ops, {
      dualkey: (key) => engine.records.get(ref, key),
      guard: async (key) => {
        if (!(await uow.hot.readRecord(instance.id, key))?.record) throw new Error(`bench: ${key} was not written`);
      },
      ceiling: (key) => ceilingGet(key),
      plain: (key) => plainGet(key),
    });
    await database.transaction((tx) => tx.execute(sql`drop table bench_plain`));
    return [
      { name: 'record put 1 KiB (encrypt + guarded upsert) vs plain upsert', dualkey: put.dualkey, baseline: put.plain, unit: 'ops/s', target: { kind: 'ratio_at_least', value: 0.85 }, bound: { value: put.ceiling / put.plain, text: 'the ceiling row (no guard)' } },
      { name: '  of which the guarded upsert alone (no encryption) vs plain', dualkey: put.guard, baseline: put.plain, unit: 'ops/s' },
      { name: '  ceiling: plain upsert of a fresh ciphertext, no guard, vs plain', dualkey: put.ceiling, baseline: put.plain, unit: 'ops/s' },
      { name: 'record get 1 KiB (guarded read + decrypt) vs plain select', dualkey: get.dualkey, baseline: get.plain, unit: 'ops/s', target: { kind: 'ratio_at_least', value: 0.85 }, bound: { value: get.ceiling / get.plain, text: 'the ceiling row (no guard)' } },
      { name: '  of which the guarded read alone (no decryption) vs plain', dualkey: get.guard, baseline: get.plain, unit: 'ops/s' },
      { name: '  ceiling: plain select + decryption, no guard, vs plain', dualkey: get.ceiling, baseline: get.plain, unit: 'ops/s' },
    ];
  } finally {
    await priv.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
