import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { passkeyAlert } from '../alerts/passkey-message.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Passkey } from '../model/passkey.js';
import type { Store } from '../ports/store.js';
import { audited } from '../lifecycle/audited.js';
import { cleanPasskeyName } from './register-passkey.js';

/** An admin's passkeys, newest first (revoked ones included). */
export async function listPasskeys(deps: EngineDeps, adminId: string): Promise<Passkey[]> {
  return deps.uow.run((store) => store.passkeys.list(adminId));
}

/** The passkey an admin may manage: their own (a global admin: any of the tenant's, to revoke a lost one). */
async function manageable(store: Store, actor: Actor, id: string): Promise<Passkey> {
  const p = await store.passkeys.byId(id);
  if (!p || p.tenantId !== actor.admin.tenantId || (p.adminId !== actor.admin.id && actor.admin.role !== 'global_admin')) {
    throw new DomainError('passkey_not_found', `There is no passkey ${id.slice(0, 40)} you can manage. See console → Passkeys.`, { passkey: id.slice(0, 40) });
  }
  return p;
}

/** Renames one of the admin's passkeys. Audited. */
export async function renamePasskey(deps: EngineDeps, actor: Actor, id: string, name: string): Promise<Passkey> {
  return audited(deps, { action: 'passkey_rename', actor, tenantId: actor.admin.tenantId }, () =>
    deps.uow.run(async (store) => {
      const p = await manageable(store, actor, id);
      if (p.adminId !== actor.admin.id) throw new DomainError('passkey_not_found', 'Only its owner renames a passkey.', { passkey: id.slice(0, 40) });
      const label = cleanPasskeyName(name);
      await store.passkeys.rename(p.id, label);
      await appendAudit(store, {
        at: deps.clock.now(), tenantId: p.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'passkey_rename',
        instanceName: null, requestId: null, result: 'ok', code: null, details: { passkey: p.id, from: p.name, to: label },
      });
      return { ...p, name: label };
    }),
  );
}

/**
 * Revokes a passkey (its owner, or a global admin for a lost one); revoking twice is harmless. Every admin of
 * the tenant is alerted in the same transaction: a revoked passkey may mean a lost device or an intruder.
 */
export async function revokePasskey(deps: EngineDeps, actor: Actor, id: string): Promise<{ passkey: Passkey; alreadyRevoked: boolean }> {
  return audited(deps, { action: 'passkey_revoke', actor, tenantId: actor.admin.tenantId }, () =>
    deps.uow.run(async (store) => {
      const p = await manageable(store, actor, id);
      const now = deps.clock.now();
      if (p.revokedAt || !(await store.passkeys.revoke(p.id, now))) return { passkey: p, alreadyRevoked: true };
      const owner = (await store.admins.byId(p.adminId)) ?? actor.admin;
      await appendAudit(store, {
        at: now, tenantId: p.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'passkey_revoke',
        instanceName: null, requestId: null, result: 'ok', code: null, details: { passkey: p.id, credentialId: p.credentialId, owner: owner.email },
      });
      const revoked = { ...p, revokedAt: now };
      await fanOutAlert(store, deps, now, p.tenantId, passkeyAlert('revoked', revoked, owner, actor.admin, false, now));
      return { passkey: revoked, alreadyRevoked: false };
    }),
  );
}
