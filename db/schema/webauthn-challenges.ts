import { index, pgTable, text, timestamp } from './columns.js';

/** WebAuthn challenges: single use, short-lived, bound to one admin and one purpose (registration, or one decision on one request). */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    /** The challenge as sent to the browser, base64url. */
    challenge: text('challenge').notNull().unique(),
    /** `register`, or `decide:<request id>:<decision>:<deadline ISO>` for a step-up. */
    purpose: text('purpose').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('webauthn_challenges_admin').on(t.adminId)],
);
