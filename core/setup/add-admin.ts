import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { Admin, Identity, RoleName } from '../model/admin.js';
import { audited } from '../lifecycle/audited.js';
import { checkAdminChange } from '../roster/check-admin-change.js';

/** A new admin as the operator describes it. */
export interface NewAdmin {
  email: string;
  name: string;
  role: RoleName;
  instances: string[];
  identities: Identity[];
}

/** Adds one of the tenant's first two global admins directly (operator path, audited as the operator). */
export async function addAdmin(deps: EngineDeps, tenantId: string, input: NewAdmin): Promise<Admin> {
  return audited(deps, { action: 'admin_add', actor: 'operator', tenantId }, () =>
    deps.uow.run(async (store) => {
      // The operator seeds the first two global admins; every later roster change needs two of them.
      const globals = (await store.admins.list(tenantId)).filter((a) => a.role === 'global_admin');
      if (globals.length >= 2) {
        throw new DomainError('roster_change_needs_approval', 'This tenant has its two global admins: a roster change now needs one of them to request it and another to approve. A global admin requests it with their own credential: chat, the console, or "dualkey admin add … --token-file <their CLI token file>".');
      }
      if (input.role !== 'global_admin') {
        throw new DomainError('roster_change_needs_approval', 'The operator adds only the first two global admins directly (--role global_admin); once they exist, they request other roster changes with their own credential (chat, console, or dualkey --token-file).');
      }
      const { change } = await checkAdminChange(store, tenantId, { operation: 'admin_add', ...input });
      if (change.operation !== 'admin_add') throw new Error('unreachable');
      const at = deps.clock.now();
      const admin: Admin = { id: newId(deps.random), tenantId, email: change.email, name: change.name, role: change.role, instances: change.instances, identities: change.identities, createdAt: at };
      await store.admins.insert(admin);
      await appendAudit(store, {
        at, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'admin_add', instanceName: null, requestId: null, result: 'ok', code: null,
        details: { email: admin.email, role: admin.role, identities: admin.identities.map((i) => i.platform).join(',') },
      });
      return admin;
    }),
  );
}
