import { index, jsonb, pgTable, text, timestamp } from './columns.js';

/** Journal of vault side effects, completed or compensated by recovery after a crash. */
export const operationJournal = pgTable(
  'operation_journal',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['import', 'destroy'] }).notNull(),
    operation: text('operation').notNull(),
    instanceId: text('instance_id'),
    keyIds: jsonb('key_ids').$type<string[]>().notNull(),
    then: text('then', { enum: ['finish_lock'] }),
    state: text('state', { enum: ['open', 'done', 'compensating', 'compensated'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('operation_journal_state').on(t.state)],
);
