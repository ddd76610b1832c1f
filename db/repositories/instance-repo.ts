import { and, asc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { Instance } from '../../core/model/instance.js';
import type { InstanceRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { instances, protectors } from '../schema/index.js';
import { toDestruction } from './protector-repo.js';

type Row = typeof instances.$inferSelect;

/** Instances over drizzle; every update bumps the generation under a compare-and-swap. */
export function instanceRepo(tx: Drizzle): InstanceRepo {
  return {
    async insert(instance) {
      await tx.insert(instances).values(instance);
    },
    async namesOf(ids) {
      if (ids.length === 0) return [];
      return tx.select({ id: instances.id, name: instances.name }).from(instances).where(inArray(instances.id, [...new Set(ids)]));
    },
    async generationsOf(ids) {
      if (ids.length === 0) return [];
      const rows = await tx
        .select({ id: instances.id, state: instances.state, generation: instances.generation, drainUntil: instances.drainUntil, keyRefused: protectors.accessRefused })
        .from(instances)
        .leftJoin(protectors, eq(protectors.id, instances.protectorId))
        .where(inArray(instances.id, [...ids]));
      return rows.map((r) => ({ ...r, keyRefused: r.keyRefused === true }));
    },
    async byId(id) {
      const [row] = await tx.select().from(instances).where(eq(instances.id, id));
      return row ? toInstance(row) : null;
    },
    async byName(tenantId, name) {
      const [row] = await tx.select().from(instances).where(and(eq(instances.tenantId, tenantId), eq(instances.name, name)));
      return row ? toInstance(row) : null;
    },
    async list(tenantId) {
      const rows = await tx.select().from(instances).where(eq(instances.tenantId, tenantId)).orderBy(asc(instances.name));
      return rows.map(toInstance);
    },
    async listWithCurrentKey(tenantId) {
      const rows = await tx
        .select({
          instance: instances, name: protectors.name, fingerprint: protectors.fingerprint, kind: protectors.kind, accessProblem: protectors.accessProblem,
          destroyOutcome: protectors.destroyOutcome, recoverableUntil: protectors.recoverableUntil, destroyedAt: protectors.destroyedAt,
        })
        .from(instances)
        // Left join: an instance whose protector row is missing still shows (with no key), as it did per instance.
        .leftJoin(protectors, eq(protectors.id, instances.protectorId))
        .where(eq(instances.tenantId, tenantId))
        .orderBy(asc(instances.name));
      return rows.map((r) => ({
        instance: toInstance(r.instance),
        key: r.name === null || r.fingerprint === null || r.kind === null ? null : { name: r.name, fingerprint: r.fingerprint, kind: r.kind, accessProblem: r.accessProblem, destruction: toDestruction(r) },
      }));
    },
    async lockById(id) {
      const [row] = await tx.select().from(instances).where(eq(instances.id, id)).for('update');
      return row ? toInstance(row) : null;
    },
    async update(id, expectedGeneration, patch) {
      // FOR UPDATE first: a plain UPDATE takes only FOR NO KEY UPDATE, which would not make a data-plane
      // write (FOR KEY SHARE, hot-statements.ts) wait for this state change.
      await tx.select({ id: instances.id }).from(instances).where(eq(instances.id, id)).for('update');
      const [row] = await tx
        .update(instances)
        .set({
          // Only the fields present in the patch; drizzle drops undefined ones.
          state: patch.state,
          keyMode: patch.keyMode,
          protectorId: patch.protectorId,
          lastKeyChangeAt: patch.lastKeyChangeAt,
          drainUntil: patch.drainUntil,
          generation: sql`${instances.generation} + 1`,
        })
        .where(and(eq(instances.id, id), eq(instances.generation, expectedGeneration)))
        .returning();
      return row ? toInstance(row) : null;
    },
    async drainsDue(now) {
      const rows = await tx
        .select({ id: instances.id })
        .from(instances)
        .where(and(eq(instances.state, 'locking'), isNotNull(instances.drainUntil), lte(instances.drainUntil, now)));
      return rows.map((r) => r.id);
    },
  };
}

function toInstance(row: Row): Instance {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    state: row.state,
    keyMode: row.keyMode,
    protectorId: row.protectorId,
    generation: row.generation,
    lastKeyChangeAt: row.lastKeyChangeAt,
    drainUntil: row.drainUntil,
    createdAt: row.createdAt,
  };
}
