import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { settingsChanged } from '../alerts/settings-change-message.js';
import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Tenant } from '../model/tenant.js';
import type { DigestSchedule } from '../ports/digest-schedule.js';
import { audited } from '../lifecycle/audited.js';
import { applySettings, customerKeyedCount } from '../settings/apply-settings.js';
import { classifySettingsChange, describeSettingChanges, type SettingsFields } from '../settings/classify-settings-change.js';
import { validateSettingsChange } from '../settings/validate-settings-change.js';
import { requireReachableApprovals } from '../settings/require-reachable-approvals.js';

/** Settings the operator may change; unset fields stay as they are. */
export type TenantSettingsChange = SettingsFields;

/**
 * The operator's direct `tenant set`: the plan entitlement and rule settings, audited with old and new values
 * and alerted to every admin. A change that weakens protection is refused with `settings_change_needs_approval`
 * once the tenant has two global admins (like roster changes): from then on one of them requests it and another approves.
 */
export async function updateTenantSettings(deps: EngineDeps, tenantId: string, change: TenantSettingsChange, schedule: DigestSchedule): Promise<Tenant> {
  return audited(deps, { action: 'tenant_settings', actor: 'operator', tenantId }, () =>
    deps.uow.run(async (store) => {
      const tenant = await store.tenants.byId(tenantId);
      if (!tenant) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
      const fields = validateSettingsChange(change, schedule);
      await requireReachableApprovals(store, tenantId, fields);
      const { weakening, immediate } = classifySettingsChange(tenant, fields, await customerKeyedCount(store, tenantId));
      const globals = (await store.admins.list(tenantId)).filter((a) => a.role === 'global_admin');
      if (weakening.length > 0 && globals.length >= 2) {
        throw new DomainError(
          'settings_change_needs_approval',
          `This weakens the tenant's protection (${describeSettingChanges(weakening)}) and the tenant has its two global admins: one of them requests it ("dualkey tenant set … --as <global admin>") and another approves.`,
          { fields: weakening.map((w) => w.field).join(',') },
        );
      }
      const next = await applySettings(store, tenant, fields);
      const changed = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
      const now = deps.clock.now();
      await appendAudit(store, {
        at: now, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'tenant_settings',
        instanceName: null, requestId: null, result: 'ok', code: null, details: changed,
      });
      const all = [...weakening, ...immediate];
      if (all.length > 0) await fanOutAlert(store, deps, now, tenantId, settingsChanged(describeSettingChanges(all), 'the operator', now));
      return next;
    }),
  );
}
