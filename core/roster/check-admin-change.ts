import { adminNotFound } from '../access/admin-refusals.js';
import { DomainError } from '../errors.js';
import type { Admin, Identity } from '../model/admin.js';
import type { Store } from '../ports/store.js';
import { normalizeDisplayName, normalizeEmail } from '../setup/validate-names.js';
import { describeIdentity, identityKey, type AdminChange } from './admin-change.js';

/** Validates a roster change against the current roster; returns it normalised, with the admin it changes or removes. */
export async function checkAdminChange(store: Store, tenantId: string, change: AdminChange): Promise<{ change: AdminChange; target: Admin | null }> {
  const email = normalizeEmail(change.email);
  const existing = await store.admins.byEmail(tenantId, email);
  if (change.operation !== 'admin_add' && !existing) throw adminNotFound(email);
  if (change.operation === 'admin_remove') {
    if (existing!.role === 'global_admin') {
      const globals = (await store.admins.list(tenantId)).filter((a) => a.role === 'global_admin');
      if (globals.length <= 1) throw new DomainError('last_global_admin', `${email} is the last global admin; add another global admin before removing them.`, { email });
    }
    // Every identity the removal unlinks is shown in the alert.
    return { change: { operation: 'admin_remove', email, identities: existing!.identities }, target: existing };
  }
  const identities = distinct(change.identities);
  if (change.operation === 'identity_unlink') {
    if (identities.length === 0) throw new DomainError('invalid_input', 'Name the identity to unlink (--slack <team>/<user> or --teams <tenant>/<object id>).');
    for (const identity of identities) {
      if (!existing!.identities.some((i) => identityKey(i) === identityKey(identity))) {
        throw new DomainError('identity_not_linked', `${describeIdentity(identity)} is not linked to ${email}. Run "dualkey admins" to see the linked identities.`, { email });
      }
    }
    return { change: { operation: 'identity_unlink', email, identities }, target: existing };
  }
  for (const identity of identities) await requireIdentityFree(store, tenantId, identity);
  if (change.operation === 'identity_link') {
    if (identities.length === 0) throw new DomainError('invalid_input', 'Name the identity to link (--slack <team>/<user> or --teams <tenant>/<object id>).');
    return { change: { operation: 'identity_link', email, identities }, target: existing };
  }
  const name = normalizeDisplayName(change.name);
  if (change.role === 'system_admin' && change.instances.length === 0) {
    throw new DomainError('invalid_input', 'A system_admin administers listed instances: use --role system_admin:<instance>[,<instance>].');
  }
  if (existing) throw new DomainError('admin_exists', `${email} is already an admin of this tenant.`, { email });
  return { change: { ...change, email, name, identities, instances: change.role === 'system_admin' ? change.instances : [] }, target: null };
}

/**
 * An identity belongs to one admin: one that is linked already is refused (`identity_in_use`), naming
 * its holder only within the same tenant (identities are unique across tenants too).
 */
async function requireIdentityFree(store: Store, tenantId: string, identity: Identity): Promise<void> {
  const holder = await store.admins.byIdentity(identity.platform, identity.workspace, identity.userId);
  if (!holder) return;
  const who = holder.tenantId === tenantId ? holder.email : 'an admin of another tenant';
  throw new DomainError('identity_in_use',
    `${describeIdentity(identity)} is already linked to ${who}; one chat identity belongs to one admin. Unlink it there first, or link a different identity.`,
    holder.tenantId === tenantId ? { holder: holder.email } : {});
}

function distinct(identities: Identity[]): Identity[] {
  const seen = new Map(identities.map((i) => [identityKey(i), i]));
  return [...seen.values()];
}
