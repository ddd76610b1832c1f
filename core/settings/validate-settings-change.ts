import { DomainError } from '../errors.js';
import { APPROVAL_SETTINGS, type TenantSettings } from '../model/tenant.js';

/** The most approvers a request type can require besides its requester. */
export const MAX_APPROVALS = 9;
import type { DigestSchedule } from '../ports/digest-schedule.js';
import type { SettingsFields } from './classify-settings-change.js';
import { STEP_UP_OPERATIONS } from '../step-up/step-up-policy.js';

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

/** Drops unset fields and refuses any out-of-range value with `invalid_input`. */
export function validateSettingsChange(change: SettingsFields, schedule: DigestSchedule): SettingsFields {
  const settings = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as SettingsFields;
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
  for (const key of Object.values(APPROVAL_SETTINGS)) {
    const v = settings[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= MAX_APPROVALS)) {
      throw new DomainError('invalid_approvals_required', `Approvals required (${key}) must be a whole number from 1 to ${MAX_APPROVALS}: how many administrators besides the requester must approve (1 is the two-person rule).`, { field: key });
    }
  }
  if (settings.stepUp !== undefined) {
    const ops = settings.stepUp;
    if (!Array.isArray(ops) || ops.some((op) => !(STEP_UP_OPERATIONS as readonly string[]).includes(op))) {
      throw new DomainError('invalid_input', `Step-up covers some of: ${STEP_UP_OPERATIONS.join(', ')} (or none: off).`);
    }
    settings.stepUp = [...new Set(ops)].sort();
  }
  return settings;
}
