import { describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { DEFAULT_TENANT_SETTINGS, type Tenant } from '../../../core/model/tenant.js';
import { classifySettingsChange } from '../../../core/settings/classify-settings-change.js';
import { validateSettingsChange } from '../../../core/settings/validate-settings-change.js';
import { stepUpOperationOf, stepUpPurpose, stepUpRequired } from '../../../core/step-up/step-up-policy.js';

const tenant = (stepUp?: string[]): Tenant => ({ id: 't', name: 'acme', selfManagedKeys: true, settings: { ...DEFAULT_TENANT_SETTINGS, ...(stepUp ? { stepUp } : {}) }, kekVaultKeyId: null, kekPublicKey: null, createdAt: new Date(0) });
const weakening = (t: Tenant, stepUp: string[]) => classifySettingsChange(t, { stepUp }, 0).weakening.map((c) => `${c.from} → ${c.to}`);
const schedule = nodeCronSchedule();

describe('passkey step-up policy', () => {
  it('maps each decision to its operation; rejects and settings approvals are never covered', () => {
    expect(stepUpOperationOf('key_change', 'approve')).toBe('approve_key_change');
    expect(stepUpOperationOf('key_change', 'rollback')).toBe('rollback');
    expect(stepUpOperationOf('lock', 'approve')).toBe('approve_lock');
    expect(stepUpOperationOf('admin_change', 'approve')).toBe('approve_roster');
    expect(stepUpOperationOf('lock', 'reject')).toBeNull();
    expect(stepUpOperationOf('settings_change', 'approve')).toBeNull();
  });

  it('requires step-up only for the listed operations; absent means off', () => {
    expect(stepUpRequired(tenant().settings, 'lock', 'approve')).toBe(false);
    expect(stepUpRequired(tenant(['approve_lock']).settings, 'lock', 'approve')).toBe(true);
    expect(stepUpRequired(tenant(['approve_lock']).settings, 'key_change', 'approve')).toBe(false);
  });

  it('turning step-up on or adding operations applies at once; turning it off or removing one weakens', () => {
    expect(classifySettingsChange(tenant(), { stepUp: ['approve_lock'] }, 0).immediate.map((c) => `${c.from} → ${c.to}`)).toEqual(['off → approve_lock']);
    expect(weakening(tenant(['approve_lock']), ['approve_key_change', 'approve_lock'])).toEqual([]);
    expect(weakening(tenant(['approve_lock', 'rollback']), [])).toEqual(['approve_lock,rollback → off']);
    expect(weakening(tenant(['approve_lock', 'rollback']), ['rollback'])).toEqual(['approve_lock,rollback → rollback']);
    // The same set in another order is no change at all.
    expect(classifySettingsChange(tenant(['rollback', 'approve_lock']), { stepUp: ['approve_lock', 'rollback'] }, 0)).toEqual({ weakening: [], immediate: [] });
  });

  it('validates operation names and sorts them', () => {
    expect(validateSettingsChange({ stepUp: ['rollback', 'approve_lock', 'rollback'] }, schedule).stepUp).toEqual(['approve_lock', 'rollback']);
    expect(() => validateSettingsChange({ stepUp: ['unlock_everything'] }, schedule)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('binds a challenge to the request, the decision and the deadline', () => {
    const d = new Date('2030-01-01T00:00:00.000Z');
    expect(stepUpPurpose('r-abc', 'approve', d)).toBe('decide:r-abc:approve:2030-01-01T00:00:00.000Z');
    expect(new Set([stepUpPurpose('r-abc', 'approve', d), stepUpPurpose('r-abd', 'approve', d), stepUpPurpose('r-abc', 'reject', d), stepUpPurpose('r-abc', 'approve', new Date(d.getTime() + 1))]).size).toBe(4);
  });
});
