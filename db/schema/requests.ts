import { index, jsonb, pgTable, text, timestamp } from './columns.js';
import type { RequestPayload, RequestSettings } from '../../core/model/request.js';
import { tenants } from './tenants.js';

/** Privileged requests awaiting or holding a second admin's decision. */
export const requests = pgTable(
  'requests',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    instanceId: text('instance_id'),
    type: text('type', { enum: ['key_change', 'lock', 'admin_change', 'settings_change'] }).notNull(),
    state: text('state', {
      enum: ['pending', 'approved', 'rolled_back', 'rejected', 'expired_rolled_back', 'expired_kept', 'expired'],
    }).notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedVia: text('requested_via', { enum: ['cli', 'slack', 'teams', 'web', 'system'] }).notNull(),
    payload: jsonb('payload').$type<RequestPayload>().notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true, mode: 'date' }).notNull(),
    deadline: timestamp('deadline', { withTimezone: true, mode: 'date' }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    decisionReason: text('decision_reason'),
    /** The tenant's rule settings when the request opened (bind it for its life). */
    settings: jsonb('settings').$type<RequestSettings>(),
  },
  (t) => [
    index('requests_tenant_state').on(t.tenantId, t.state),
    index('requests_state_deadline').on(t.state, t.deadline),
    index('requests_instance_state').on(t.instanceId, t.state),
  ],
);
