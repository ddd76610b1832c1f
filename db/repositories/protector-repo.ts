import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Protector } from '../../core/model/protector.js';
import type { ProtectorRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { protectors } from '../schema/index.js';

type Row = typeof protectors.$inferSelect;

/** Protectors over drizzle. */
export function protectorRepo(tx: Drizzle): ProtectorRepo {
  return {
    async insert(protector) {
      const { destruction, accessProblem, ...row } = protector;
      await tx.insert(protectors).values({
        ...row, accessProblem: accessProblem ?? null,
        destroyOutcome: destruction?.outcome ?? null, recoverableUntil: destruction?.recoverableUntil ?? null, destroyedAt: destruction?.at ?? null,
      });
    },
    async byId(id) {
      const [row] = await tx.select().from(protectors).where(eq(protectors.id, id));
      return row ? toProtector(row) : null;
    },
    async listByInstance(instanceId) {
      const rows = await tx.select().from(protectors).where(eq(protectors.instanceId, instanceId)).orderBy(asc(protectors.createdAt), asc(protectors.id));
      return rows.map(toProtector);
    },
    async update(id, patch) {
      const set: Partial<Row> = {};
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.vaultKeyId !== undefined) set.vaultKeyId = patch.vaultKeyId;
      // New live key material (unlock): the earlier destruction no longer describes this row.
      if (typeof patch.vaultKeyId === 'string') Object.assign(set, { destroyKeyId: null, destroyOutcome: null, recoverableUntil: null, destroyedAt: null, accessProblem: null });
      if (patch.destroyKeyId !== undefined) set.destroyKeyId = patch.destroyKeyId;
      if (patch.accessProblem !== undefined) set.accessProblem = patch.accessProblem;
      if (Object.keys(set).length === 0) return;
      await tx.update(protectors).set(set).where(eq(protectors.id, id));
    },
    async recordDestruction(destroyKeyId, d) {
      const rows = await tx.update(protectors)
        .set({ destroyOutcome: d.outcome, recoverableUntil: d.recoverableUntil, destroyedAt: d.at, accessProblem: null })
        .where(and(eq(protectors.destroyKeyId, destroyKeyId)))
        .returning();
      return rows[0] ? toProtector(rows[0]) : null;
    },
    async compareAndSetAccessProblem(id, expected, next) {
      const rows = await tx.update(protectors).set({ accessProblem: next })
        .where(and(eq(protectors.id, id), expected === null ? isNull(protectors.accessProblem) : eq(protectors.accessProblem, expected)))
        .returning({ id: protectors.id });
      return rows.length > 0;
    },
    async listWithVaultKey() {
      const rows = await tx.select().from(protectors).where(isNotNull(protectors.vaultKeyId)).orderBy(asc(protectors.id));
      return rows.map(toProtector);
    },
  };
}

function toProtector(row: Row): Protector {
  return {
    id: row.id,
    instanceId: row.instanceId,
    kind: row.kind,
    name: row.name,
    fingerprint: row.fingerprint,
    publicKey: row.publicKey,
    vaultKeyId: row.vaultKeyId,
    status: row.status,
    createdAt: row.createdAt,
    destruction: row.destroyOutcome && row.destroyedAt ? { outcome: row.destroyOutcome, recoverableUntil: row.recoverableUntil, at: row.destroyedAt } : null,
    accessProblem: row.accessProblem,
  };
}
