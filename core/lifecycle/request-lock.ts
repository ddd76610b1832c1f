import { withApprovalsNeeded } from '../alerts/approval-message.js';
import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { lockRequested } from '../alerts/alert-messages.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { requireEntitled, requireInstanceAdmin } from '../access/authorize.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newRequestId } from '../ids.js';
import type { Actor } from '../model/actor.js';
import { bindSettings, type Request } from '../model/request.js';
import { audited } from './audited.js';
import { loadInstance, requireActive } from './load-instance.js';
import { requireCooldownOver } from './lock-cooldown.js';
import { inspectUpload, type KeyFileUpload } from './uploaded-key.js';
import { requireNoPending } from './require-no-pending.js';

/** What the requester must present to lock: the instance name typed again, and the current key file. */
export interface LockInput {
  confirm: string;
  upload: KeyFileUpload;
}

/** Opens a lock request (DESIGN §4); nothing changes until a second admin approves it. */
export async function requestLock(deps: EngineDeps, actor: Actor, instanceName: string, input: LockInput): Promise<Request> {
  return audited(deps, { action: 'lock_request', actor, tenantId: actor.admin.tenantId, instanceName }, async () => {
    const ctx = await deps.uow.run(async (store) => {
      const c = await loadInstance(store, actor.admin.tenantId, instanceName);
      requireEntitled(c.tenant);
      requireInstanceAdmin(actor.admin, c.instance);
      requireActive(c.instance);
      if (c.instance.keyMode !== 'customer') {
        throw new DomainError('customer_key_required', `${instanceName} uses a service-managed key; only an instance protected by your own key can be locked. Generate or upload a key first ("key new" / "key upload").`, { instance: instanceName });
      }
      if (input.confirm !== instanceName) {
        throw new DomainError('confirmation_mismatch', `To lock, type the instance name exactly: "${instanceName}".`, { instance: instanceName });
      }
      await requireNoPending(store, c.instance);
      requireCooldownOver(c.instance, c.tenant, deps.clock.now());
      return c;
    });
    const presented = (await inspectUpload(deps, ctx.tenant, ctx.instance.id, input.upload)).fingerprint;
    if (presented !== ctx.protector.fingerprint) {
      throw new DomainError('key_mismatch', `This key file (${presented}) is not the key protecting ${instanceName} (${ctx.protector.fingerprint}). Present the file of the current key: it is the one you will need to unlock.`, {
        instance: instanceName, presented, expected: ctx.protector.fingerprint,
      });
    }
    return deps.uow.run(async (store) => {
      const now = deps.clock.now();
      const c = await loadInstance(store, actor.admin.tenantId, instanceName, true);
      if (c.instance.generation !== ctx.instance.generation) {
        throw new DomainError('operation_in_progress', `${instanceName} changed while the lock was being checked. Check "status ${instanceName}" and try again.`);
      }
      await requireNoPending(store, c.instance);
      const request: Request = {
        id: newRequestId(deps.random), tenantId: c.tenant.id, instanceId: c.instance.id, type: 'lock', state: 'pending',
        requestedBy: actor.admin.id, requestedVia: actor.transport,
        payload: { operation: 'lock', keyName: c.protector.name, fingerprint: c.protector.fingerprint, protectorId: c.protector.id },
        openedAt: now, deadline: new Date(now.getTime() + c.tenant.settings.lockApprovalTtlHours * 3_600_000),
        decidedBy: null, decidedAt: null, decisionReason: null, settings: bindSettings(c.tenant.settings, 'lock'),
      };
      await store.requests.insert(request);
      await appendAudit(store, {
        at: now, tenantId: c.tenant.id, actor: auditActorOf(actor), transport: actor.transport, action: 'lock_request',
        instanceName, requestId: request.id, result: 'ok', code: null, details: { fingerprint: c.protector.fingerprint },
      });
      await fanOutAlert(store, deps, now, c.tenant.id, withApprovalsNeeded(request, lockRequested(request, instanceName, actor.admin)));
      return request;
    });
  });
}
