/** Stable refusal codes: every expected refusal carries one of these, and transports map them in one place. */
export const ERROR_CODES = [
  // key files (DESIGN §3)
  'pfx_password_required', 'pfx_no_private_key', 'pfx_bad_password', 'key_type_unsupported',
  'key_too_small', 'keyfile_malformed', 'byok_kek_mismatch', 'byok_unwrap_failed',
  // lifecycle (DESIGN §4)
  'plan_not_entitled', 'not_admin', 'self_approval', 'admin_too_new', 'approval_already_recorded', 'approvals_changed', 'invalid_approvals_required', 'approvals_unreachable', 'instance_locked',
  'instance_not_active', 'confirmation_mismatch', 'key_mismatch', 'change_pending',
  'lock_pending', 'request_closed', 'request_expired', 'lock_cooldown',
  'customer_key_required', 'already_service_managed', 'key_already_current',
  'backup_mismatch', 'backup_key_unavailable', 'backup_malformed', 'password_too_short',
  'request_type_mismatch', 'key_in_use',
  // roster
  'admin_exists', 'roster_change_needs_approval', 'last_global_admin', 'identity_in_use',
  // tenant settings
  'settings_change_needs_approval',
  // lookups and input
  'tenant_not_found', 'tenant_exists', 'tenant_required', 'admin_not_found', 'instance_not_found',
  'instance_exists', 'request_not_found', 'record_not_found', 'record_too_large', 'invalid_input',
  'token_invalid', 'token_instance_mismatch', 'page_link_invalid', 'page_link_expired', 'page_link_used',
  'identity_not_linked', 'unknown_command',
  // the operator is not an admin (I6)
  'operator_cannot_act_as_admin',
  // console sign-in and sessions
  'sign_in_link_invalid', 'sign_in_link_expired', 'sign_in_link_used', 'session_expired',
  // passkeys and step-up
  'passkey_not_found', 'passkey_registration_failed', 'step_up_required', 'step_up_invalid',
  // database keys served to MariaDB
  'db_key_exists', 'db_key_not_found',
  // offline hooks
  'hook_url_invalid',
  // infrastructure the user can act on
  'database_busy', 'operation_in_progress', 'audit_chain_broken', 'key_inaccessible',
  // the demo
  'demo_needs_fresh_data_dir',
] as const;

/** One of the stable refusal codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An expected refusal: a stable code plus a message that says what to do next. Never carries secrets. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string | number | boolean | null>;

  constructor(code: ErrorCode, message: string, details: Record<string, string | number | boolean | null> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

/** True when `e` is an expected refusal (as opposed to a bug or an infrastructure fault). */
export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
