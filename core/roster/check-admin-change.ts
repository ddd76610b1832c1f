import { adminNotFound } from '../access/admin-refusals.js';
import { DomainError } from '../errors.js';
import type { Admin } from '../model/admin.js';
import type { Store } from '../ports/store.js';
import { normalizeEmail } from '../setup/validate-names.js';
import type { AdminChange } from './admin-change.js';

/** Validates a roster change against the current roster; returns it normalised, with the admin it removes. */
export async function checkAdminChange(store: Store, tenantId: string, change: AdminChange): Promise<{ change: AdminChange; target: Admin | null }> {
  const email = normalizeEmail(change.email);
  const existing = await store.admins.byEmail(tenantId, email);
  if (change.operation === 'admin_remove') {
    if (!existing) throw adminNotFound(email);
    if (existing.role === 'global_admin') {
      const globals = (await store.admins.list(tenantId)).filter((a) => a.role === 'global_admin');
      if (globals.length <= 1) throw new DomainError('last_global_admin', `${email} is the last global admin; add another global admin before removing them.`, { email });
    }
    return { change: { ...change, email }, target: existing };
  }
  if (!change.name.trim()) throw new DomainError('invalid_input', 'Give the admin a display name (--name).');
  if (change.role === 'system_admin' && change.instances.length === 0) {
    throw new DomainError('invalid_input', 'A system_admin administers listed instances: use --role system_admin:<instance>[,<instance>].');
  }
  if (existing) throw new DomainError('admin_exists', `${email} is already an admin of this tenant.`, { email });
  for (const identity of change.identities) {
    const holder = await store.admins.byIdentity(identity.platform, identity.workspace, identity.userId);
    if (holder) throw new DomainError('invalid_input', `That ${identity.platform} identity is already linked to ${holder.email}.`);
  }
  return { change: { ...change, email, name: change.name.trim(), instances: change.role === 'system_admin' ? change.instances : [] }, target: null };
}
