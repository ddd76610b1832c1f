import { notGlobalAdmin } from './admin-refusals.js';
import type { Admin } from '../model/admin.js';

/** Refuses with `not_admin` unless the admin is a global admin (only they change the roster). */
export function requireGlobalAdmin(admin: Admin): void {
  if (admin.role !== 'global_admin') {
    throw notGlobalAdmin(admin.email, admin.role);
  }
}
