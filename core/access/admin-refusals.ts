import { DomainError } from '../errors.js';

/**
 * The two refusals about a person, worded the same on every transport (issue 8 item 9): `admin_not_found` when
 * the e-mail is not an administrator of the tenant at all, `not_admin` when they are one but lack the rights asked for.
 */
export function adminNotFound(email: string): DomainError {
  return new DomainError('admin_not_found', `${email} is not an administrator of this tenant at all. List the administrators with "admins"; a global admin can request to add them.`, { email });
}

/** `not_admin`: an administrator of the tenant who does not administer this instance. */
export function notAdminOfInstance(email: string, instance: string): DomainError {
  return new DomainError('not_admin', `${email} is an administrator of this tenant, but not of ${instance}. Ask a global admin to grant the role (system_admin:${instance}).`, { email, instance });
}

/** `not_admin`: an administrator of the tenant who is not a global admin, asking to change the roster. */
export function notGlobalAdmin(email: string, role: string): DomainError {
  return new DomainError('not_admin', `${email} is an administrator of this tenant (${role}), but not a global admin: only global admins can change who the administrators are.`, { email, role });
}
