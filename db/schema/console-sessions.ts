import { index, pgTable, text, timestamp } from './columns.js';

/** One-time console sign-in links: stored hashed, single use, ten minutes, bound to one admin. */
export const consoleLinks = pgTable(
  'console_links',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    /** Where the link was issued (slack, teams, email, cli for the demo / development). */
    issuedVia: text('issued_via').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('console_links_admin').on(t.adminId)],
);

/** Console sessions: server-side rows, the cookie value stored only as its SHA-256. */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    /** How the admin proved who they are: `link` today; `passkey` is the seam for a later issue. */
    method: text('method').notNull(),
    /** The synchronizer token forms of this session carry (CSRF). */
    csrf: text('csrf').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('console_sessions_admin').on(t.adminId)],
);
