import { requireGlobalAdmin } from '../access/require-global-admin.js';
import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { settingsChangeRequested, settingsChanged } from '../alerts/settings-change-message.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newRequestId } from '../ids.js';
import type { Actor } from '../model/actor.js';
import { bindSettings, type Request } from '../model/request.js';
import type { Tenant } from '../model/tenant.js';
import type { DigestSchedule } from '../ports/digest-schedule.js';
import { audited } from '../lifecycle/audited.js';
import { applySettings, customerKeyedCount, pickFields } from './apply-settings.js';
import { classifySettingsChange, describeSettingChanges, type SettingChange, type SettingsFields } from './classify-settings-change.js';
import { validateSettingsChange } from './validate-settings-change.js';
import { requireReachableApprovals } from './require-reachable-approvals.js';

/** What a global admin's settings change did: what applied at once, and the request for the rest. */
export interface SettingsChangeOutcome {
  tenant: Tenant;
  applied: SettingChange[];
  request: Request | null;
}

/**
 * A global admin changes the tenant's settings: what strengthens (or is neutral) applies at once and is
 * alerted to every admin; what weakens opens one `settings_change` request that another global admin must
 * approve before its deadline (the review window), alerted to every admin. Nothing weakening applies before then.
 */
export async function requestSettingsChange(deps: EngineDeps, actor: Actor, change: SettingsFields, schedule: DigestSchedule): Promise<SettingsChangeOutcome> {
  return audited(deps, { action: 'settings_change_request', actor, tenantId: actor.admin.tenantId }, async () => {
    requireGlobalAdmin(actor.admin);
    const fields = validateSettingsChange(change, schedule);
    return deps.uow.run(async (store) => {
      const tenantId = actor.admin.tenantId;
      const tenant = await store.tenants.byId(tenantId);
      if (!tenant) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
      await requireReachableApprovals(store, tenantId, fields);
      const { weakening, immediate } = classifySettingsChange(tenant, fields, await customerKeyedCount(store, tenantId));
      if (weakening.length === 0 && immediate.length === 0) throw new DomainError('invalid_input', 'Those are the settings already in force; nothing to change.');
      const open = (await store.requests.pending(tenantId)).find((r) => r.type === 'settings_change');
      if (weakening.length > 0 && open) throw new DomainError('change_pending', `A settings change (${open.id}) already awaits approval; approve or reject it first.`, { request: open.id });
      const now = deps.clock.now();
      let next = tenant;
      if (immediate.length > 0) {
        next = await applySettings(store, tenant, pickFields(fields, immediate.map((c) => c.field)));
        await appendAudit(store, {
          at: now, tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'tenant_settings', instanceName: null, requestId: null,
          result: 'ok', code: null, details: Object.fromEntries(immediate.map((c) => [c.field, c.to])),
        });
        await fanOutAlert(store, deps, now, tenantId, settingsChanged(describeSettingChanges(immediate), actor.admin.email, now));
      }
      let request: Request | null = null;
      if (weakening.length > 0) {
        const summary = describeSettingChanges(weakening);
        request = {
          id: newRequestId(deps.random), tenantId, instanceId: null, type: 'settings_change', state: 'pending', requestedBy: actor.admin.id, requestedVia: actor.transport,
          payload: { operation: 'settings_change', summary, fields: JSON.stringify(pickFields(fields, weakening.map((c) => c.field))) },
          openedAt: now, deadline: new Date(now.getTime() + tenant.settings.reviewWindowHours * 3_600_000),
          decidedBy: null, decidedAt: null, decisionReason: null, settings: bindSettings(tenant.settings, 'settings_change'),
        };
        await store.requests.insert(request);
        await appendAudit(store, {
          at: now, tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'settings_change_request', instanceName: null, requestId: request.id,
          result: 'ok', code: null, details: Object.fromEntries(weakening.map((c) => [c.field, `${c.from} → ${c.to}`])),
        });
        await fanOutAlert(store, deps, now, tenantId, settingsChangeRequested(request, summary, actor.admin));
      }
      return { tenant: next, applied: immediate, request };
    });
  });
}
