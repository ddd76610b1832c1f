import { and, asc, eq, sql } from 'drizzle-orm';
import { DomainError } from '../../core/errors.js';
import type { InstanceState } from '../../core/model/instance.js';
import type { EncryptedRecord } from '../../core/model/record.js';
import type { GuardedWrite, RecordRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { instances, records } from '../schema/index.js';
import { rawRows, toNumber } from './raw-rows.js';

type Row = typeof records.$inferSelect;

// 7 parameters a row: stay far below PostgreSQL's 65535 bind parameters per statement.
const INSERT_CHUNK = 1000;

/**
 * The data plane (hot path). Each call is one statement that reads the instance in the same query;
 * writes take a FOR SHARE lock on the instance row, so a write racing a lock waits for the lock's
 * transaction and then sees the new state.
 */
export function recordRepo(tx: Drizzle): RecordRepo {
  return {
    async read(instanceId, key) {
      const [row] = await tx
        .select({ state: instances.state, generation: instances.generation, record: records })
        .from(instances)
        .leftJoin(records, and(eq(records.instanceId, instances.id), eq(records.key, key)))
        .where(eq(instances.id, instanceId));
      if (!row) return null;
      return { state: row.state, generation: row.generation, record: row.record ? toRecord(row.record) : null };
    },
    async write(instanceId, generation, record) {
      const rows = await rawRows<GuardRow & { existed: boolean | null }>(
        tx,
        sql`with inst as (
              select state, generation from instances where id = ${instanceId} for share
            ), upsert as (
              insert into records (instance_id, key, ciphertext, nonce, tag, dek_version, updated_at)
              select ${instanceId}::text, ${record.key}::text, ${record.ciphertext}::bytea, ${record.nonce}::bytea,
                     ${record.tag}::bytea, ${record.dekVersion}::integer, ${record.updatedAt.toISOString()}::timestamptz
              from inst where inst.state = 'active' and inst.generation = ${generation}::bigint
              on conflict (instance_id, key) do update set
                ciphertext = excluded.ciphertext, nonce = excluded.nonce, tag = excluded.tag,
                dek_version = excluded.dek_version, updated_at = excluded.updated_at
              -- an updated row carries the xmax of the row lock ON CONFLICT took; an inserted one has none
              returning xmax::text <> '0' as existed
            )
            select inst.state, inst.generation, upsert.existed from inst left join upsert on true`,
      );
      return guarded(instanceId, generation, rows[0], (r) => r.existed === true);
    },
    async delete(instanceId, generation, key) {
      const rows = await rawRows<GuardRow & { deleted: unknown }>(
        tx,
        sql`with inst as (
              select state, generation from instances where id = ${instanceId} for share
            ), del as (
              delete from records r using inst
              where r.instance_id = ${instanceId}::text and r.key = ${key}::text
                and inst.state = 'active' and inst.generation = ${generation}::bigint
              returning 1
            )
            select inst.state, inst.generation, (select count(*) from del) as deleted from inst`,
      );
      return guarded(instanceId, generation, rows[0], (r) => toNumber(r.deleted) > 0);
    },
    async listKeys(instanceId, prefix, limit) {
      const rows = await rawRows<GuardRow & { key: string | null }>(
        tx,
        sql`select i.state, i.generation, r.key
            from instances i
            left join lateral (
              select key from records
              where instance_id = i.id and starts_with(key, ${prefix}::text)
              order by key limit ${Math.max(0, Math.floor(limit))}::bigint
            ) r on true
            where i.id = ${instanceId}::text
            order by r.key`,
      );
      const [first] = rows;
      if (!first) return null;
      return {
        state: first.state,
        generation: toNumber(first.generation),
        keys: rows.flatMap((r) => (r.key === null ? [] : [r.key])),
      };
    },
    async all(instanceId) {
      const rows = await tx.select().from(records).where(eq(records.instanceId, instanceId)).orderBy(asc(records.key));
      return rows.map(toRecord);
    },
    async replaceAll(instanceId, all) {
      await tx.delete(records).where(eq(records.instanceId, instanceId));
      for (let i = 0; i < all.length; i += INSERT_CHUNK) {
        await tx.insert(records).values(all.slice(i, i + INSERT_CHUNK).map((r) => ({ instanceId, ...r })));
      }
    },
  };
}

interface GuardRow {
  state: InstanceState;
  generation: unknown;
}

function guarded<T extends GuardRow>(instanceId: string, expected: number, row: T | undefined, existed: (row: T) => boolean): GuardedWrite {
  if (!row) throw new DomainError('instance_not_found', `Instance ${instanceId} does not exist.`, { instanceId });
  if (row.state !== 'active') return { outcome: 'not_active', state: row.state };
  const generation = toNumber(row.generation);
  if (generation !== expected) return { outcome: 'stale', generation };
  return { outcome: 'ok', existed: existed(row) };
}

function toRecord(row: Row): EncryptedRecord {
  return {
    key: row.key,
    ciphertext: row.ciphertext,
    nonce: row.nonce,
    tag: row.tag,
    dekVersion: row.dekVersion,
    updatedAt: row.updatedAt,
  };
}
