import { sql } from 'drizzle-orm';
import { boolean, bytea, index, pgTable, text, timestamp, uniqueIndex } from './columns.js';
import { instances } from './instances.js';

/** Protector keys: public half and fingerprint here, private half only in the vault. */
export const protectors = pgTable(
  'protectors',
  {
    id: text('id').primaryKey(),
    instanceId: text('instance_id').notNull().references(() => instances.id),
    kind: text('kind', { enum: ['service', 'generated', 'pfx', 'byok'] }).notNull(),
    name: text('name').notNull(),
    fingerprint: text('fingerprint').notNull(),
    publicKey: bytea('public_key').notNull(),
    vaultKeyId: text('vault_key_id'),
    status: text('status', { enum: ['active', 'previous', 'retired', 'destroyed'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    // The key a committed destroy removes, and what the key store said it achieved.
    destroyKeyId: text('destroy_key_id'),
    destroyOutcome: text('destroy_outcome', { enum: ['destroyed', 'deleted'] }),
    recoverableUntil: timestamp('recoverable_until', { withTimezone: true, mode: 'date' }),
    destroyedAt: timestamp('destroyed_at', { withTimezone: true, mode: 'date' }),
    // Key-access health: why the store cannot use the key now (null = usable).
    accessProblem: text('access_problem'),
    // ...and whether the store answered with a refusal (not merely went unanswered): servers then drop the instance's cached DEKs.
    accessRefused: boolean('access_refused').notNull().default(false),
  },
  (t) => [
    index('protectors_instance').on(t.instanceId),
    index('protectors_destroy_key').on(t.destroyKeyId),
    // One customer key protects at most one instance (I7): live = active (a locked instance's too: its
    // holder unlocks with it) or previous (a rollback restores it). Retired and destroyed keys are free.
    uniqueIndex('protectors_fingerprint_live').on(t.fingerprint).where(sql`${t.status} in ('active', 'previous')`),
  ],
);
