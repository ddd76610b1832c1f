import { and, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { InstanceState, KeyMode } from '../../core/model/instance.js';
import type { ProtectorKind } from '../../core/model/protector.js';
import type { RequestType, Transport } from '../../core/model/request.js';
import type { ConsoleViewRepo, InstanceQuery } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { auditEntries } from '../schema/index.js';
import { rawRows, toNumber } from './raw-rows.js';

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** `%text%` for ILIKE, with the pattern characters of the search escaped. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function instanceFilter(tenantId: string, q: InstanceQuery): SQL {
  const parts: SQL[] = [sql`i.tenant_id = ${tenantId}`];
  if (q.search) parts.push(sql`(i.name ilike ${contains(q.search)} or p.name ilike ${contains(q.search)} or p.fingerprint = ${q.search})`);
  if (q.state) parts.push(sql`i.state = ${q.state}`);
  if (q.keyMode) parts.push(sql`i.key_mode = ${q.keyMode}`);
  return sql.join(parts, sql` and `);
}

/** The console's list queries: a count and one page, each a single indexed statement. */
export function consoleViewRepo(tx: Drizzle): ConsoleViewRepo {
  return {
    async instances(tenantId, q) {
      const where = instanceFilter(tenantId, q);
      const [counted] = await rawRows<{ n: unknown }>(tx, sql`select count(*) as n from instances i join protectors p on p.id = i.protector_id where ${where}`);
      const rows = await rawRows<Record<string, unknown>>(tx, sql`
        select i.name, i.state, i.key_mode, i.last_key_change_at, p.name as key_name, p.fingerprint, p.kind, p.created_at as key_created_at,
               r.id as request_id, r.type as request_type, r.deadline as request_deadline
          from instances i join protectors p on p.id = i.protector_id
          left join lateral (select id, type, deadline from requests where instance_id = i.id and state = 'pending' order by opened_at limit 1) r on true
         where ${where}
         order by i.name limit ${q.limit} offset ${q.offset}`);
      return {
        total: toNumber(counted?.n ?? 0),
        rows: rows.map((r) => ({
          name: String(r.name), state: r.state as InstanceState, keyMode: r.key_mode as KeyMode, keyName: String(r.key_name), fingerprint: String(r.fingerprint),
          keyKind: r.kind as ProtectorKind, keyCreatedAt: date(r.key_created_at), lastKeyChangeAt: dateOrNull(r.last_key_change_at),
          pendingRequest: r.request_id ? { id: String(r.request_id), type: r.request_type as RequestType, deadline: date(r.request_deadline) } : null,
        })),
      };
    },
    async audit(q) {
      const conditions: SQL[] = [eq(auditEntries.tenantId, q.tenantId)];
      if (q.instanceName) conditions.push(eq(auditEntries.instanceName, q.instanceName));
      if (q.actorEmail) conditions.push(sql`${auditEntries.actor}->>'email' = ${q.actorEmail}`);
      if (q.action) conditions.push(eq(auditEntries.action, q.action));
      if (q.from) conditions.push(gte(auditEntries.at, q.from));
      if (q.to) conditions.push(lt(auditEntries.at, q.to));
      const where = and(...conditions);
      const rows = await tx.select().from(auditEntries).where(where).orderBy(desc(auditEntries.seq)).limit(q.limit).offset(q.offset);
      const [total] = await tx.select({ n: count() }).from(auditEntries).where(where);
      return { total: total?.n ?? 0, entries: rows.map((row) => ({ ...row, transport: row.transport as Transport })) };
    },
  };
}
