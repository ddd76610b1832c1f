import { asc, eq, sql } from 'drizzle-orm';
import type { InstanceState } from '../../core/model/instance.js';
import type { EncryptedRecord } from '../../core/model/record.js';
import type { RecordRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { records } from '../schema/index.js';
import { boundSql } from '../prepared/bound-sql.js';
import type { RawRow } from '../prepared/prepared-statement.js';
import { READ_RECORD, toGuardedWrite, toRecordRead, writeRecordGuarded } from '../hot-path/hot-statements.js';
import { rawRows, toNumber } from './raw-rows.js';

type Row = typeof records.$inferSelect;

// 7 parameters a row: stay far below PostgreSQL's 65535 bind parameters per statement.
const INSERT_CHUNK = 1000;

/**
 * Records inside a transaction. Each call is one statement that reads the instance in the same query;
 * writes take FOR KEY SHARE on the instance row, which every state change's FOR UPDATE waits for (and
 * vice versa), so a write racing a lock sees the new state. Requests use the same statements through `uow.hot`.
 */
export function recordRepo(tx: Drizzle): RecordRepo {
  return {
    // The same statements as the hot path (db/hot-path), here inside the caller's transaction.
    async read(instanceId, key) {
      return toRecordRead((await rawRows<RawRow>(tx, boundSql(READ_RECORD, [instanceId, key])))[0]);
    },
    async write(instanceId, generation, record) {
      return writeRecordGuarded((s, p) => rawRows<RawRow>(tx, boundSql(s, p)), instanceId, generation, record);
    },
    async delete(instanceId, generation, key) {
      const rows = await rawRows<RawRow>(
        tx,
        sql`with inst as (
              select state, generation from instances where id = ${instanceId} for key share
            ), del as (
              delete from records r using inst
              where r.instance_id = ${instanceId}::text and r.key = ${key}::text
                and inst.state = 'active' and inst.generation = ${generation}::bigint
              returning 1
            )
            select inst.state, inst.generation, (select count(*) from del) as deleted from inst`,
      );
      return toGuardedWrite(instanceId, generation, rows[0], (r) => toNumber(r.deleted) > 0);
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
