import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { requestDecided } from '../alerts/alert-messages.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Request } from '../model/request.js';
import { requireDecidersCurrent } from '../lifecycle/require-deciders-current.js';
import { applySettings } from './apply-settings.js';
import type { SettingsFields } from './classify-settings-change.js';

/** The fields a settings_change request carries. */
export function settingsChangeFields(request: Request): SettingsFields {
  return JSON.parse(String(request.payload.fields ?? '{}')) as SettingsFields;
}

/** Approves a settings change (decided exactly once, I5): applied, audited and announced in one commit. */
export async function applySettingsChange(deps: EngineDeps, actor: Actor, request: Request, reason: string | null): Promise<Request> {
  return deps.uow.run(async (store) => {
    const now = deps.clock.now();
    const decided = await store.requests.decide(request.id, 'approved', actor.admin.id, now, reason);
    if (!decided) throw new DomainError('request_closed', `${request.id} was already decided.`, { request: request.id });
    await requireDecidersCurrent(store, request, actor.admin, [], null);
    const tenant = await store.tenants.byId(request.tenantId);
    if (!tenant) throw new Error(`settings change ${request.id} has no tenant`);
    const fields = settingsChangeFields(request);
    await applySettings(store, tenant, fields);
    await appendAudit(store, {
      at: now, tenantId: request.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'approve', instanceName: null, requestId: request.id,
      result: 'ok', code: null, details: { outcome: 'settings_change', ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)])) },
    });
    await fanOutDecision(store, deps, now, request.tenantId, requestDecided(decided, null, actor.admin));
    return decided;
  });
}
