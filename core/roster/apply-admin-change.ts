import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { requestDecided } from '../alerts/alert-messages.js';
import { appendAudit, approvedWith, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor } from '../model/actor.js';
import type { Admin } from '../model/admin.js';
import type { Request } from '../model/request.js';
import { adminChangeOf, identityKey } from './admin-change.js';
import { checkAdminChange } from './check-admin-change.js';
import { requireDecidersCurrent } from '../lifecycle/require-deciders-current.js';
import { stepUpDetails } from '../step-up/step-up-policy.js';

/** Approves a roster change: re-validated against the roster as it is now, applied, audited and announced in one commit. */
export async function applyAdminChange(deps: EngineDeps, actor: Actor, request: Request, reason: string | null, earlier: readonly Admin[] = []): Promise<Request> {
  return deps.uow.run(async (store) => {
    const now = deps.clock.now();
    const decided = await store.requests.decide(request.id, 'approved', actor.admin.id, now, reason);
    if (!decided) throw new DomainError('request_closed', `${request.id} was already decided.`, { request: request.id });
    await requireDecidersCurrent(store, request, actor.admin, earlier, null);
    const { change, target } = await checkAdminChange(store, request.tenantId, adminChangeOf(request.payload));
    if (change.operation === 'admin_add') {
      await store.admins.insert({ id: newId(deps.random), tenantId: request.tenantId, email: change.email, name: change.name, role: change.role, instances: change.instances, identities: change.identities, createdAt: now });
    } else if (change.operation === 'identity_link') {
      for (const identity of change.identities) await store.admins.addIdentity(target!.id, identity);
    } else if (change.operation === 'identity_unlink') {
      for (const identity of change.identities) await store.admins.removeIdentity(target!.id, identity);
    } else {
      await store.admins.remove(target!.id);
      // A removed admin's console sessions end with the commit that removes them.
      await store.consoleAuth.endSessionsOf(target!.id, now);
      // ... and so do their personal CLI tokens.
      await store.cliTokens.revokeAllOf(target!.id, now);
      // ... and their passkeys, so a re-added admin with the same address starts without them.
      await store.passkeys.revokeAllOf(target!.id, now);
    }
    await appendAudit(store, {
      at: now, tenantId: request.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'approve', instanceName: null, requestId: request.id,
      result: 'ok', code: null, details: { outcome: change.operation, email: change.email, ...(change.identities?.length ? { identities: change.identities.map(identityKey).join(' ') } : {}), ...approvedWith(earlier), ...stepUpDetails(actor) },
    });
    await fanOutDecision(store, deps, now, request.tenantId, requestDecided(decided, null, actor.admin, earlier));
    return decided;
  });
}
