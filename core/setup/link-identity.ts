import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Admin, Identity } from '../model/admin.js';
import { audited } from '../lifecycle/audited.js';
import { identityKey } from '../roster/admin-change.js';
import { checkAdminChange } from '../roster/check-admin-change.js';

/**
 * Links chat identities to an existing admin directly (operator path), only while the tenant has fewer
 * than two global admins, as `addAdmin`; after that linking is a roster request a second global admin
 * approves (`requestAdminChange` with `identity_link`), because a linked identity can decide requests.
 */
export async function linkIdentity(deps: EngineDeps, tenantId: string, email: string, identities: Identity[]): Promise<Admin> {
  return audited(deps, { action: 'identity_link', actor: 'operator', tenantId }, () =>
    deps.uow.run(async (store) => {
      const globals = (await store.admins.list(tenantId)).filter((a) => a.role === 'global_admin');
      if (globals.length >= 2) {
        throw new DomainError('roster_change_needs_approval', 'This tenant has its two global admins: linking a chat identity now needs one of them to request it and another to approve. Run "dualkey admin link <email> --slack|--teams … --as <global admin>".');
      }
      const { change, target } = await checkAdminChange(store, tenantId, { operation: 'identity_link', email, identities });
      if (change.operation !== 'identity_link' || !target) throw new Error('unreachable');
      for (const identity of change.identities) await store.admins.addIdentity(target.id, identity);
      await appendAudit(store, {
        at: deps.clock.now(), tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'identity_link', instanceName: null, requestId: null, result: 'ok', code: null,
        details: { email: target.email, identities: change.identities.map(identityKey).join(' ') },
      });
      return (await store.admins.byId(target.id))!;
    }),
  );
}
