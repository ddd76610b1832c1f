import { describe, expect, it } from 'vitest';
import { classifySettingsChange } from '../../../core/settings/classify-settings-change.js';
import { DEFAULT_TENANT_SETTINGS, type Tenant } from '../../../core/model/tenant.js';

const tenant: Tenant = { id: 't', name: 'acme', selfManagedKeys: true, settings: { ...DEFAULT_TENANT_SETTINGS, slackAlertChannel: 'C0ALERTS1' }, kekVaultKeyId: null, kekPublicKey: null, createdAt: new Date(0) };
const fields = (c: ReturnType<typeof classifySettingsChange>) => ({ weakening: c.weakening.map((w) => w.field), immediate: c.immediate.map((w) => w.field) });

describe('which settings changes weaken protection', () => {
  it('counts a shorter review window or cooldown, a longer lock-approval TTL and the keep policy as weakening', () => {
    expect(fields(classifySettingsChange(tenant, { reviewWindowHours: 48, lockCooldownHours: 24, lockApprovalTtlHours: 48, unreviewedChangePolicy: 'keep' }, 0))).toEqual({
      weakening: ['reviewWindowHours', 'lockCooldownHours', 'lockApprovalTtlHours', 'unreviewedChangePolicy'], immediate: [],
    });
  });

  it('counts the opposite directions, the digest schedule and the timezone as applying at once, and drops unchanged fields', () => {
    expect(fields(classifySettingsChange(tenant, { reviewWindowHours: 96, lockCooldownHours: 72, lockApprovalTtlHours: 12, unreviewedChangePolicy: 'rollback', timezone: 'Europe/Paris', digestCron: '0 8 * * *' }, 0))).toEqual({
      weakening: [], immediate: ['reviewWindowHours', 'lockApprovalTtlHours', 'timezone', 'digestCron'],
    });
  });

  it('counts turning self-managed keys off as weakening only while an instance is customer-keyed', () => {
    expect(fields(classifySettingsChange(tenant, { selfManagedKeys: false }, 1)).weakening).toEqual(['selfManagedKeys']);
    expect(fields(classifySettingsChange(tenant, { selfManagedKeys: false }, 0)).immediate).toEqual(['selfManagedKeys']);
  });

  it('counts removing or moving the Slack alert channel as weakening, adding one as not', () => {
    expect(fields(classifySettingsChange(tenant, { slackAlertChannel: null }, 0)).weakening).toEqual(['slackAlertChannel']);
    expect(fields(classifySettingsChange(tenant, { slackAlertChannel: 'C0OTHER22' }, 0)).weakening).toEqual(['slackAlertChannel']);
    expect(fields(classifySettingsChange({ ...tenant, settings: DEFAULT_TENANT_SETTINGS }, { slackAlertChannel: 'C0OTHER22' }, 0)).immediate).toEqual(['slackAlertChannel']);
  });

  it('counts fewer k-of-n approvers as weakening and more as applying at once, per request type (unset means 1)', () => {
    const two: Tenant = { ...tenant, settings: { ...tenant.settings, approvalsLock: 2, approvalsKeyChange: 2 } };
    expect(fields(classifySettingsChange(two, { approvalsLock: 1, approvalsKeyChange: 3, approvalsRoster: 2 }, 0))).toEqual({ weakening: ['approvalsLock'], immediate: ['approvalsKeyChange', 'approvalsRoster'] });
    // 1 is what an unset count already means: nothing changes.
    expect(fields(classifySettingsChange(tenant, { approvalsLock: 1 }, 0))).toEqual({ weakening: [], immediate: [] });
    expect(classifySettingsChange(two, { approvalsLock: 1 }, 0).weakening).toEqual([{ field: 'approvalsLock', from: '2', to: '1' }]);
  });
});
