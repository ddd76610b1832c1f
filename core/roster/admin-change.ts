import type { Identity, RoleName } from '../model/admin.js';
import type { RequestPayload } from '../model/request.js';

/**
 * A proposed roster change, as stored in an admin_change request (no secrets). Linking or unlinking a
 * chat identity of an existing admin is a roster change of its own; `identities` of a removal are the
 * ones it unlinks (shown in the alert, filled in by checkAdminChange).
 */
export type AdminChange =
  | { operation: 'admin_add'; email: string; name: string; role: RoleName; instances: string[]; identities: Identity[] }
  | { operation: 'admin_remove'; email: string; identities?: Identity[] }
  | { operation: 'identity_link'; email: string; identities: Identity[] }
  | { operation: 'identity_unlink'; email: string; identities: Identity[] };

/** `slack:T0123/U0456`: how identities are stored in payloads. */
export function identityKey(i: Identity): string {
  return `${i.platform}:${i.workspace}/${i.userId}`;
}

/** "Slack T0123/U0456": how alerts show an identity. */
export function describeIdentity(i: Identity): string {
  return `${i.platform === 'slack' ? 'Slack' : 'Teams'} ${i.workspace}/${i.userId}`;
}

function identitiesOf(payload: RequestPayload): Identity[] {
  return ((payload.identities as string[] | undefined) ?? []).map((s) => {
    const m = /^(slack|teams):([^/]+)\/(.+)$/.exec(s)!;
    return { platform: m[1] as Identity['platform'], workspace: m[2]!, userId: m[3]! };
  });
}

/** The request payload of a roster change. */
export function adminChangePayload(change: AdminChange): RequestPayload {
  const identities = (change.identities ?? []).map(identityKey);
  if (change.operation === 'admin_add') {
    return { operation: 'admin_add', email: change.email, name: change.name, role: change.role, instances: change.instances, identities };
  }
  return { operation: change.operation, email: change.email, identities };
}

/** The roster change a request payload describes. */
export function adminChangeOf(payload: RequestPayload): AdminChange {
  const email = String(payload.email);
  const identities = identitiesOf(payload);
  if (payload.operation === 'admin_remove') return { operation: 'admin_remove', email, identities };
  if (payload.operation === 'identity_link') return { operation: 'identity_link', email, identities };
  if (payload.operation === 'identity_unlink') return { operation: 'identity_unlink', email, identities };
  return { operation: 'admin_add', email, name: String(payload.name), role: payload.role as RoleName, instances: (payload.instances as string[] | undefined) ?? [], identities };
}

/** The identities a change links and unlinks, for alerts: every one is shown, so a second account cannot slip in. */
export function identityChanges(change: AdminChange): { linked: Identity[]; unlinked: Identity[] } {
  const ids = change.identities ?? [];
  return change.operation === 'admin_add' || change.operation === 'identity_link' ? { linked: ids, unlinked: [] } : { linked: [], unlinked: ids };
}

/** "add ann@example.com as global_admin, linking Slack T1/U2" / "remove ann@example.com": how alerts describe a change. */
export function describeAdminChange(change: AdminChange): string {
  const list = (ids: Identity[] | undefined) => (ids ?? []).map(describeIdentity).join(', ');
  switch (change.operation) {
    case 'admin_remove':
      return `remove ${change.email}${change.identities?.length ? `, unlinking ${list(change.identities)}` : ''}`;
    case 'identity_link':
      return `link ${list(change.identities)} to ${change.email}`;
    case 'identity_unlink':
      return `unlink ${list(change.identities)} from ${change.email}`;
    default:
      return `add ${change.name} <${change.email}> as ${change.role}${change.instances.length ? ` of ${change.instances.join(', ')}` : ''}${change.identities.length ? `, linking ${list(change.identities)}` : ''}`;
  }
}

/** "Identities linked" / "Identities unlinked" facts; an added admin with none says so. */
export function identityFacts(change: AdminChange): Array<[string, string]> {
  const { linked, unlinked } = identityChanges(change);
  const facts: Array<[string, string]> = [];
  if (linked.length > 0 || change.operation === 'admin_add') facts.push(['Identities linked', linked.length ? linked.map(describeIdentity).join(', ') : 'none (e-mail and console only)']);
  if (unlinked.length > 0) facts.push(['Identities unlinked', unlinked.map(describeIdentity).join(', ')]);
  return facts;
}
