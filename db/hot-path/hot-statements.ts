import type { TokenGrant } from '../../core/model/db-key.js';
import type { InstanceState } from '../../core/model/instance.js';
import type { EncryptedRecord, RecordRead, SealedRecord } from '../../core/model/record.js';
import type { GuardedWrite } from '../../core/ports/store.js';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES } from '../../core/crypto/envelope.js';
import { DomainError } from '../../core/errors.js';
import { preparedStatement, type PreparedStatement, type RawRow } from '../prepared/prepared-statement.js';
import { toNumber } from '../repositories/raw-rows.js';

/** Token → instance grant: one indexed join (the KV server may reuse its answer for its short grant window). */
export const GRANT = preparedStatement(
  'hot_grant',
  `select i.id as instance_id, i.tenant_id, i.name, i.state, i.generation, i.drain_until, t.token_hash
   from data_plane_tokens t join instances i on i.id = t.instance_id
   where t.token_hash = $1::text`,
  ['text'],
);

/**
 * A record and its instance's state and generation, in one statement. Only what decryption needs, and its three
 * byte strings as one column (nonce, tag, ciphertext: the driver decodes one bytea value instead of three).
 */
export const READ_RECORD = preparedStatement(
  'hot_read_record',
  `select i.state, i.generation, r.nonce || r.tag || r.ciphertext as sealed, r.dek_version
   from instances i left join records r on r.instance_id = i.id and r.key = $2::text
   where i.id = $1::text`,
  ['text', 'text'],
);

/**
 * Upsert guarded by the instance row, in one statement: it inserts only when the instance is active
 * at the expected generation. FOR KEY SHARE conflicts with the FOR UPDATE every state or generation
 * change takes first (instance-repo `update`), so a write racing such a change waits for it and is
 * then re-checked against the new row version: it cannot commit after a lock has. No row back means
 * refused; INSTANCE_GUARD then tells why (the uncommon case pays the second round trip).
 */
export const WRITE_RECORD = preparedStatement(
  'hot_write_record',
  `insert into records (instance_id, key, ciphertext, nonce, tag, dek_version, updated_at)
   select i.id, $2::text, $3::bytea, $4::bytea, $5::bytea, $6::integer, $7::timestamptz
   from instances i where i.id = $1::text and i.state = 'active' and i.generation = $8::bigint
   for key share
   on conflict (instance_id, key) do update set
     ciphertext = excluded.ciphertext, nonce = excluded.nonce, tag = excluded.tag,
     dek_version = excluded.dek_version, updated_at = excluded.updated_at
   -- an updated row carries the xmax of the row lock ON CONFLICT took; an inserted one has none
   returning xmax::text <> '0' as existed`,
  ['text', 'text', 'bytea', 'bytea', 'bytea', 'integer', 'timestamptz', 'bigint'],
);

/** The instance's state and generation now, to explain a refused guarded write. */
export const INSTANCE_GUARD = preparedStatement('hot_instance_guard', 'select state, generation from instances where id = $1::text', ['text']);

/** Runs a prepared statement with its parameters on some session (the hot path's runner, or a transaction). */
export type RunStatement = (statement: PreparedStatement, params: unknown[]) => Promise<RawRow[]>;

/** WRITE_RECORD and, only when it wrote nothing, INSTANCE_GUARD: the outcome of a guarded record write. */
export async function writeRecordGuarded(run: RunStatement, instanceId: string, generation: number, record: EncryptedRecord): Promise<GuardedWrite> {
  const [written] = await run(WRITE_RECORD, writeRecordParams(instanceId, generation, record));
  if (written) return { outcome: 'ok', existed: written.existed === true };
  const outcome = toGuardedWrite(instanceId, generation, (await run(INSTANCE_GUARD, [instanceId]))[0], () => false);
  // Refused, yet active at this generation now: it changed and came back between the two statements; the caller retries.
  return outcome.outcome === 'ok' ? { outcome: 'stale', generation } : outcome;
}

/** Parameters of WRITE_RECORD, in order. */
export function writeRecordParams(instanceId: string, generation: number, r: EncryptedRecord): unknown[] {
  return [instanceId, r.key, r.ciphertext, r.nonce, r.tag, r.dekVersion, r.updatedAt, generation];
}

function bytes(value: unknown): Buffer {
  const u8 = value as Uint8Array;
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

/** READ_RECORD's `sealed` column (nonce ‖ tag ‖ ciphertext) as its parts, without copying. */
function splitSealed(sealed: Buffer, dekVersion: number): SealedRecord {
  // Every stored nonce and tag has these sizes: encryptRecord writes them, and a restore stores only what decryptRecord accepted.
  if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) throw new Error(`a stored record is ${sealed.length} bytes, shorter than its nonce and tag`);
  const tagEnd = GCM_NONCE_BYTES + GCM_TAG_BYTES;
  return { nonce: sealed.subarray(0, GCM_NONCE_BYTES), tag: sealed.subarray(GCM_NONCE_BYTES, tagEnd), ciphertext: sealed.subarray(tagEnd), dekVersion };
}

/** GRANT's row as a TokenGrant. */
export function toGrant(row: RawRow | undefined): TokenGrant | null {
  if (!row) return null;
  return {
    instanceId: row.instance_id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    state: row.state as InstanceState,
    generation: toNumber(row.generation),
    drainUntil: row.drain_until === null || row.drain_until === undefined ? null : date(row.drain_until),
    tokenHash: row.token_hash as string,
  };
}

/** READ_RECORD's row as a RecordRead. */
export function toRecordRead(row: RawRow | undefined): RecordRead | null {
  if (!row) return null;
  // The columns are NOT NULL: sealed is null only when the left join found no record.
  const record: SealedRecord | null = row.sealed === null || row.sealed === undefined ? null : splitSealed(bytes(row.sealed), Number(row.dek_version));
  return { state: row.state as InstanceState, generation: toNumber(row.generation), record };
}

/** A guarded statement's `inst` row as the outcome: not active, stale (with the current generation), or done. */
export function toGuardedWrite(instanceId: string, expected: number, row: RawRow | undefined, existed: (row: RawRow) => boolean): GuardedWrite {
  if (!row) throw new DomainError('instance_not_found', `Instance ${instanceId} does not exist.`, { instanceId });
  if (row.state !== 'active') return { outcome: 'not_active', state: row.state as InstanceState };
  const generation = toNumber(row.generation);
  if (generation !== expected) return { outcome: 'stale', generation };
  return { outcome: 'ok', existed: existed(row) };
}
