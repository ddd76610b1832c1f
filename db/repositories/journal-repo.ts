import { and, asc, eq, inArray } from 'drizzle-orm';
import type { JournalEntry } from '../../core/model/journal-entry.js';
import type { JournalRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { operationJournal } from '../schema/index.js';

type Row = typeof operationJournal.$inferSelect;

/** The journal of vault side effects over drizzle; state changes are compare-and-swap. */
export function journalRepo(tx: Drizzle): JournalRepo {
  return {
    async insert(entry) {
      await tx.insert(operationJournal).values(entry);
    },
    async transition(id, from, to, at) {
      const rows = await tx
        .update(operationJournal)
        .set({ state: to, updatedAt: at })
        .where(and(eq(operationJournal.id, id), eq(operationJournal.state, from)))
        .returning({ id: operationJournal.id });
      return rows.length > 0;
    },
    async byId(id) {
      const [row] = await tx.select().from(operationJournal).where(eq(operationJournal.id, id));
      return row ? toEntry(row) : null;
    },
    async unfinished() {
      const rows = await tx
        .select()
        .from(operationJournal)
        .where(inArray(operationJournal.state, ['open', 'compensating']))
        .orderBy(asc(operationJournal.createdAt), asc(operationJournal.id));
      return rows.map(toEntry);
    },
  };
}

function toEntry(row: Row): JournalEntry {
  return {
    id: row.id,
    kind: row.kind,
    operation: row.operation,
    instanceId: row.instanceId,
    keyIds: row.keyIds,
    then: row.then,
    state: row.state,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
