import type { ErrorCode } from '../../../core/errors.js';

/** Refusals that mean "wrong key file or password": each counts against the link (five close it). */
const COUNTED: ReadonlySet<string> = new Set<ErrorCode>([
  'pfx_password_required', 'pfx_no_private_key', 'pfx_bad_password', 'key_type_unsupported', 'key_too_small',
  'keyfile_malformed', 'byok_kek_mismatch', 'byok_unwrap_failed', 'key_mismatch',
]);

const STATUS: Partial<Record<string, number>> = {
  // the link itself
  page_link_invalid: 404,
  page_link_expired: 410,
  page_link_used: 410,
  // state conflicts: the form was fine, the instance is not in a state that allows it (now)
  change_pending: 409,
  lock_pending: 409,
  lock_cooldown: 409,
  instance_locked: 409,
  instance_not_active: 409,
  operation_in_progress: 409,
  customer_key_required: 409,
  already_service_managed: 409,
  key_already_current: 409,
  key_in_use: 409,
  // rights changed since the link was issued
  not_admin: 403,
  plan_not_entitled: 403,
  instance_not_found: 404,
  tenant_not_found: 404,
  database_busy: 503,
};

/** The one place the pages map a refusal code to an HTTP status: 422 (fix the input) unless listed. */
export function refusalStatus(code: string): number {
  return STATUS[code] ?? 422;
}

/** True when a refusal is a wrong key file or password, which `failPageLink` counts. */
export function countsAgainstLink(code: string): boolean {
  return COUNTED.has(code);
}
