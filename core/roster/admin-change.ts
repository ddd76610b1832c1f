import type { Identity, RoleName } from '../model/admin.js';
import type { RequestPayload } from '../model/request.js';

/** A proposed roster change, as stored in an admin_change request (no secrets). */
export type AdminChange =
  | { operation: 'admin_add'; email: string; name: string; role: RoleName; instances: string[]; identities: Identity[] }
  | { operation: 'admin_remove'; email: string };

/** The request payload of a roster change. */
export function adminChangePayload(change: AdminChange): RequestPayload {
  if (change.operation === 'admin_remove') return { operation: 'admin_remove', email: change.email };
  return {
    operation: 'admin_add', email: change.email, name: change.name, role: change.role, instances: change.instances,
    identities: change.identities.map((i) => `${i.platform}:${i.workspace}/${i.userId}`),
  };
}

/** The roster change a request payload describes. */
export function adminChangeOf(payload: RequestPayload): AdminChange {
  const email = String(payload.email);
  if (payload.operation === 'admin_remove') return { operation: 'admin_remove', email };
  const identities = ((payload.identities as string[] | undefined) ?? []).map((s) => {
    const m = /^(slack|teams):([^/]+)\/(.+)$/.exec(s)!;
    return { platform: m[1] as Identity['platform'], workspace: m[2]!, userId: m[3]! };
  });
  return { operation: 'admin_add', email, name: String(payload.name), role: payload.role as RoleName, instances: (payload.instances as string[] | undefined) ?? [], identities };
}

/** "add ann@example.com as global_admin" / "remove ann@example.com": how alerts describe a change. */
export function describeAdminChange(change: AdminChange): string {
  if (change.operation === 'admin_remove') return `remove ${change.email}`;
  return `add ${change.name} <${change.email}> as ${change.role}${change.instances.length ? ` of ${change.instances.join(', ')}` : ''}`;
}
