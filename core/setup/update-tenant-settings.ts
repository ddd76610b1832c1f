import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Tenant, TenantSettings } from '../model/tenant.js';
import type { DigestSchedule } from '../ports/digest-schedule.js';
import { audited } from '../lifecycle/audited.js';

/** Settings the operator may change; unset fields stay as they are. */
export type TenantSettingsChange = Partial<TenantSettings> & { selfManagedKeys?: boolean };

const HOURS: Array<[keyof TenantSettings, number, number]> = [
  ['reviewWindowHours', 1, 720],
  ['lockCooldownHours', 1, 720],
  ['lockApprovalTtlHours', 1, 168],
];

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Changes a tenant's plan entitlement and rule settings (operator only, audited with old and new values). */
export async function updateTenantSettings(deps: EngineDeps, tenantId: string, change: TenantSettingsChange, schedule: DigestSchedule): Promise<Tenant> {
  return audited(deps, { action: 'tenant_settings', actor: 'operator', tenantId }, () =>
    deps.uow.run(async (store) => {
      const tenant = await store.tenants.byId(tenantId);
      if (!tenant) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
      const { selfManagedKeys, ...given } = change;
      const settings = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<TenantSettings>;
      for (const [key, min, max] of HOURS) {
        const v = settings[key];
        if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max)) {
          throw new DomainError('invalid_input', `${key} must be a number of hours from ${min} to ${max}.`);
        }
      }
      if (settings.unreviewedChangePolicy !== undefined && !['rollback', 'keep'].includes(settings.unreviewedChangePolicy)) {
        throw new DomainError('invalid_input', 'The unreviewed-change policy is "rollback" or "keep".');
      }
      if (settings.digestCron !== undefined && !schedule.isValid(settings.digestCron)) {
        throw new DomainError('invalid_input', `"${settings.digestCron.slice(0, 60)}" is not a cron schedule (e.g. "0 9 * * 1-5" for 09:00 on weekdays).`);
      }
      if (settings.timezone !== undefined && !validTimezone(settings.timezone)) {
        throw new DomainError('invalid_input', `"${settings.timezone.slice(0, 60)}" is not an IANA time zone (e.g. Europe/Paris).`);
      }
      if (settings.slackAlertChannel && !/^[CG][A-Z0-9]{6,20}$/.test(settings.slackAlertChannel)) {
        throw new DomainError('invalid_input', 'The Slack alert channel is a channel id such as C0123ABCDEF (in Slack: channel details → About).');
      }
      if (settings.lockDrainSeconds !== undefined && !(Number.isInteger(settings.lockDrainSeconds) && settings.lockDrainSeconds >= 0 && settings.lockDrainSeconds <= 900)) {
        throw new DomainError('invalid_input', 'lockDrainSeconds must be a whole number of seconds from 0 to 900 (how long a locking database may still fetch its keys to stop cleanly).');
      }
      const next: TenantSettings = { ...tenant.settings, ...settings };
      await store.tenants.updateSettings(tenantId, next);
      if (selfManagedKeys !== undefined) await store.tenants.setSelfManagedKeys(tenantId, selfManagedKeys);
      const changed = Object.fromEntries(Object.entries({ ...settings, ...(selfManagedKeys === undefined ? {} : { selfManagedKeys }) }).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
      await appendAudit(store, {
        at: deps.clock.now(), tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'tenant_settings',
        instanceName: null, requestId: null, result: 'ok', code: null, details: changed,
      });
      return { ...tenant, settings: next, selfManagedKeys: selfManagedKeys ?? tenant.selfManagedKeys };
    }),
  );
}
