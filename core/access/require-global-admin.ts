import { DomainError } from '../errors.js';
import type { Admin } from '../model/admin.js';

/** Refuses with `not_admin` unless the admin is a global admin (only they change the roster). */
export function requireGlobalAdmin(admin: Admin): void {
  if (admin.role !== 'global_admin') {
    throw new DomainError('not_admin', `${admin.email} is a ${admin.role}; only global admins can change who the administrators are.`);
  }
}
