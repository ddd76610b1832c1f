import { createPublicKey } from 'node:crypto';
import { appendAudit, auditActorOf, systemAuditActor } from '../audit/append-audit.js';
import { requireEntitled } from '../access/authorize.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import { audited } from '../lifecycle/audited.js';

/** The tenant's BYOK key-exchange key as published: its id (the BYOK `kid`) and public key PEM. */
export interface KekInfo {
  kekId: string;
  publicKeyPem: string;
}

/** Returns the tenant's KEK, creating it in the vault on first use (idempotent on its id). */
export async function ensureKek(deps: EngineDeps, actor: Actor | 'operator', tenantId: string): Promise<KekInfo> {
  return audited(deps, { action: 'key_kek', actor, tenantId }, async () => {
    const tenant = await deps.uow.run((store) => store.tenants.byId(tenantId));
    if (!tenant) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
    requireEntitled(tenant);
    let kekId = tenant.kekVaultKeyId;
    let spki = tenant.kekPublicKey;
    if (!kekId || !spki) {
      kekId = `kek-${tenant.id}`;
      spki = await deps.vault.createKek(kekId);
      const id = kekId;
      const pub = spki;
      await deps.uow.run(async (store) => {
        await store.tenants.setKek(tenantId, id, pub);
        await appendAudit(store, {
          at: deps.clock.now(), tenantId, actor: actor === 'operator' ? systemAuditActor('operator') : auditActorOf(actor), transport: actor === 'operator' ? 'cli' : actor.transport,
          action: 'key_kek', instanceName: null, requestId: null, result: 'ok', code: null, details: { kekId: id },
        });
      });
    }
    const publicKeyPem = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
    return { kekId, publicKeyPem };
  });
}
