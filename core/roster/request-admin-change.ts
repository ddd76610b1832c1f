import { withApprovalsNeeded } from '../alerts/approval-message.js';
import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { adminChangeRequested } from '../alerts/admin-change-message.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { requireGlobalAdmin } from '../access/require-global-admin.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newRequestId } from '../ids.js';
import type { Actor } from '../model/actor.js';
import { bindSettings, type Request } from '../model/request.js';
import { audited } from '../lifecycle/audited.js';
import { adminChangeOf, adminChangePayload, identityKey, type AdminChange } from './admin-change.js';
import { checkAdminChange } from './check-admin-change.js';

/** admin add / remove / link / unlink by a global admin: opens an admin_change request another global admin must approve. */
export async function requestAdminChange(deps: EngineDeps, actor: Actor, input: AdminChange): Promise<Request> {
  return audited(deps, { action: `${input.operation}_request`, actor, tenantId: actor.admin.tenantId }, async () => {
    requireGlobalAdmin(actor.admin);
    return deps.uow.run(async (store) => {
      const { change } = await checkAdminChange(store, actor.admin.tenantId, input);
      const open = (await store.requests.pending(actor.admin.tenantId)).find((r) => r.type === 'admin_change' && adminChangeOf(r.payload).email === change.email);
      if (open) throw new DomainError('change_pending', `A roster change for ${change.email} (${open.id}) already awaits approval.`, { request: open.id });
      const tenant = await store.tenants.byId(actor.admin.tenantId);
      const now = deps.clock.now();
      const request: Request = {
        id: newRequestId(deps.random), tenantId: actor.admin.tenantId, instanceId: null, type: 'admin_change', state: 'pending',
        requestedBy: actor.admin.id, requestedVia: actor.transport, payload: adminChangePayload(change), openedAt: now,
        deadline: new Date(now.getTime() + (tenant?.settings.reviewWindowHours ?? 72) * 3_600_000), decidedBy: null, decidedAt: null, decisionReason: null,
        ...(tenant ? { settings: bindSettings(tenant.settings, 'admin_change') } : {}),
      };
      await store.requests.insert(request);
      await appendAudit(store, {
        at: now, tenantId: request.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: `${change.operation}_request`,
        instanceName: null, requestId: request.id, result: 'ok', code: null, details: {
          email: change.email, ...(change.operation === 'admin_add' ? { role: change.role } : {}),
          ...(change.identities?.length ? { identities: change.identities.map(identityKey).join(' ') } : {}),
        },
      });
      await fanOutAlert(store, deps, now, request.tenantId, withApprovalsNeeded(request, adminChangeRequested(request, change, actor.admin)));
      return request;
    });
  });
}
