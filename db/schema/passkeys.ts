import { bigint, bytea, index, jsonb, pgTable, text, timestamp } from './columns.js';

/** Admins' WebAuthn passkeys: the credential's public key (COSE) and signature counter; never a private key. */
export const passkeys = pgTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    /** The credential id, base64url, as the authenticator reports it (unique across every tenant). */
    credentialId: text('credential_id').notNull().unique(),
    publicKey: bytea('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull(),
    transports: jsonb('transports').$type<string[]>().notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('passkeys_admin').on(t.adminId), index('passkeys_tenant').on(t.tenantId)],
);
