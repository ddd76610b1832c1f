import { and, asc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import { DomainError } from '../../core/errors.js';
import type { Protector, ProtectorDestruction } from '../../core/model/protector.js';
import type { ProtectorRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { instances, protectors } from '../schema/index.js';
import { violatesConstraint } from './unique-violation.js';

type Row = typeof protectors.$inferSelect;

/** Protectors over drizzle. */
export function protectorRepo(tx: Drizzle): ProtectorRepo {
  return {
    async insert(protector) {
      const { destruction, accessProblem, accessRefused, ...row } = protector;
      try {
        await tx.insert(protectors).values({
          ...row, accessProblem: accessProblem ?? null, accessRefused: accessProblem ? accessRefused === true : false,
          destroyOutcome: destruction?.outcome ?? null, recoverableUntil: destruction?.recoverableUntil ?? null, destroyedAt: destruction?.at ?? null,
        });
      } catch (e) {
        // The use-case checks first; this is the race it cannot see (two uploads of one key committing at once).
        if (violatesConstraint(e, 'protectors_fingerprint_live')) {
          throw new DomainError('key_in_use', `This key (${protector.fingerprint}) already protects another instance; one key protects one instance at a time. Use a different key.`, { fingerprint: protector.fingerprint });
        }
        throw e;
      }
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
      if (typeof patch.vaultKeyId === 'string') Object.assign(set, { destroyKeyId: null, destroyOutcome: null, recoverableUntil: null, destroyedAt: null, accessProblem: null, accessRefused: false });
      if (patch.destroyKeyId !== undefined) set.destroyKeyId = patch.destroyKeyId;
      if (patch.accessProblem !== undefined) Object.assign(set, { accessProblem: patch.accessProblem }, patch.accessProblem === null ? { accessRefused: false } : {});
      if (Object.keys(set).length === 0) return;
      await tx.update(protectors).set(set).where(eq(protectors.id, id));
    },
    async recordDestruction(destroyKeyId, d) {
      const rows = await tx.update(protectors)
        .set({ destroyOutcome: d.outcome, recoverableUntil: d.recoverableUntil, destroyedAt: d.at, accessProblem: null, accessRefused: false })
        .where(and(eq(protectors.destroyKeyId, destroyKeyId)))
        .returning();
      return rows[0] ? toProtector(rows[0]) : null;
    },
    async liveByFingerprint(fingerprint) {
      const [row] = await tx
        .select({ protector: protectors, tenantId: instances.tenantId, instanceName: instances.name })
        .from(protectors)
        .innerJoin(instances, eq(instances.id, protectors.instanceId))
        .where(and(eq(protectors.fingerprint, fingerprint), inArray(protectors.status, ['active', 'previous'])))
        .limit(1);
      return row ? { protector: toProtector(row.protector), tenantId: row.tenantId, instanceName: row.instanceName } : null;
    },
    async compareAndSetAccessProblem(id, expected, next, refused) {
      const rows = await tx.update(protectors).set({ accessProblem: next, accessRefused: next !== null && refused })
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
    destruction: toDestruction(row),
    accessProblem: row.accessProblem,
    accessRefused: row.accessRefused,
  };
}

/** The destruction recorded on a protector row, or null while it holds live key material. */
export function toDestruction(row: Pick<Row, 'destroyOutcome' | 'recoverableUntil' | 'destroyedAt'>): ProtectorDestruction | null {
  return row.destroyOutcome && row.destroyedAt ? { outcome: row.destroyOutcome, recoverableUntil: row.recoverableUntil, at: row.destroyedAt } : null;
}
