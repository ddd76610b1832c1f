import { sql } from 'drizzle-orm';
import type { Channel } from '../../core/model/outbox-message.js';
import type { ProtectorKind } from '../../core/model/protector.js';
import type { RequestState, RequestType } from '../../core/model/request.js';
import type { DigestFacts, DigestRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { rawRows, toNumber } from './raw-rows.js';

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** Digest aggregates: one grouped count per subject plus capped, indexed lists, so a 10,000-instance tenant stays fast. */
export function digestRepo(tx: Drizzle): DigestRepo {
  return {
    async facts(tenantId, since, limit): Promise<DigestFacts> {
      const iso = since.toISOString();
      const [counts] = await rawRows<Record<string, unknown>>(tx, sql`
        select count(*) as total,
               count(*) filter (where state = 'active') as active,
               count(*) filter (where state = 'locked') as locked,
               count(*) filter (where state = 'locking') as locking,
               count(*) filter (where key_mode = 'customer') as customer_keyed
          from instances where tenant_id = ${tenantId}`);
      const pending = await rawRows<Record<string, unknown>>(tx, sql`
        select r.id, r.type, i.name as instance_name, a.email as requested_by, r.deadline, r.payload->>'summary' as summary, count(*) over () as total,
               coalesce((r.settings->>'approvalsRequired')::int, 1) as approvals_required,
               (select count(*) from request_approvals ra join admins x on x.id = ra.admin_id where ra.request_id = r.id) as approvals
          from requests r left join instances i on i.id = r.instance_id left join admins a on a.id = r.requested_by
         where r.tenant_id = ${tenantId} and r.state = 'pending'
         order by r.deadline, r.id limit ${limit}`);
      const locked = await rawRows<Record<string, unknown>>(tx, sql`
        select i.name as instance_name,
               (select max(r.decided_at) from requests r where r.instance_id = i.id and r.type = 'lock' and r.state = 'approved') as locked_at
          from instances i where i.tenant_id = ${tenantId} and i.state <> 'active'
         order by i.name limit ${limit}`);
      const oldest = await rawRows<Record<string, unknown>>(tx, sql`
        select i.name as instance_name, p.name as key_name, p.fingerprint, p.kind, p.created_at
          from instances i join protectors p on p.id = i.protector_id
         where i.tenant_id = ${tenantId} order by p.created_at, i.name limit ${limit}`);
      const recent = await rawRows<Record<string, unknown>>(tx, sql`
        select r.id, r.type, i.name as instance_name, r.state, r.decided_at, a.email as decided_by, count(*) over () as total
          from requests r left join instances i on i.id = r.instance_id left join admins a on a.id = r.decided_by
         where r.tenant_id = ${tenantId} and r.state <> 'pending' and r.decided_at >= ${iso}::timestamptz
         order by r.decided_at desc, r.id limit ${limit}`);
      const failed = await rawRows<Record<string, unknown>>(tx, sql`
        select o.channel, coalesce(a.email, o.address) as recipient, o.message->>'title' as title, o.last_error, o.created_at, count(*) over () as total
          from outbox o left join admins a on a.id = o.admin_id
         where o.tenant_id = ${tenantId} and o.state = 'failed'
         order by o.created_at desc, o.id limit ${limit}`);
      return {
        instances: {
          total: toNumber(counts?.total ?? 0), active: toNumber(counts?.active ?? 0), locked: toNumber(counts?.locked ?? 0),
          locking: toNumber(counts?.locking ?? 0), customerKeyed: toNumber(counts?.customer_keyed ?? 0),
        },
        pending: pending.map((r) => ({ id: String(r.id), type: r.type as RequestType, instanceName: (r.instance_name as string | null) ?? null, requestedBy: (r.requested_by as string | null) ?? null, deadline: date(r.deadline), ...(r.type === 'settings_change' ? { summary: (r.summary as string | null) ?? null } : {}), ...(toNumber(r.approvals_required) > 1 ? { approvals: { count: toNumber(r.approvals), required: toNumber(r.approvals_required) } } : {}) })),
        pendingTotal: toNumber(pending[0]?.total ?? 0),
        locked: locked.map((r) => ({ instanceName: String(r.instance_name), lockedAt: dateOrNull(r.locked_at) })),
        oldestKeys: oldest.map((r) => ({ instanceName: String(r.instance_name), keyName: String(r.key_name), fingerprint: String(r.fingerprint), kind: r.kind as ProtectorKind, createdAt: date(r.created_at) })),
        recent: recent.map((r) => ({ id: String(r.id), type: r.type as RequestType, instanceName: (r.instance_name as string | null) ?? null, state: r.state as RequestState, decidedAt: date(r.decided_at), decidedBy: (r.decided_by as string | null) ?? null })),
        recentTotal: toNumber(recent[0]?.total ?? 0),
        failedAlerts: failed.map((r) => ({ channel: r.channel as Channel, recipient: (r.recipient as string | null) ?? null, title: String(r.title ?? ''), lastError: (r.last_error as string | null) ?? null, createdAt: date(r.created_at) })),
        failedTotal: toNumber(failed[0]?.total ?? 0),
      };
    },
  };
}
