import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { Admin, Identity, RoleName } from '../model/admin.js';
import { audited } from '../lifecycle/audited.js';
import { normalizeEmail } from './validate-names.js';

/** A new admin as the operator describes it. */
export interface NewAdmin {
  email: string;
  name: string;
  role: RoleName;
  instances: string[];
  identities: Identity[];
}

/** Adds an admin directly (operator path, audited as the operator). */
export async function addAdmin(deps: EngineDeps, tenantId: string, input: NewAdmin): Promise<Admin> {
  return audited(deps, { action: 'admin_add', actor: 'operator', tenantId }, async () => {
    const email = normalizeEmail(input.email);
    if (!input.name.trim()) throw new DomainError('invalid_input', 'Give the admin a display name with --name.');
    if (input.role === 'system_admin' && input.instances.length === 0) {
      throw new DomainError('invalid_input', 'A system_admin administers listed instances: use --role system_admin:<instance>[,<instance>].');
    }
    return deps.uow.run(async (store) => {
      if (await store.admins.byEmail(tenantId, email)) throw new DomainError('admin_exists', `${email} is already an admin of this tenant.`, { email });
      for (const identity of input.identities) {
        const holder = await store.admins.byIdentity(identity.platform, identity.workspace, identity.userId);
        if (holder) throw new DomainError('invalid_input', `That ${identity.platform} identity is already linked to ${holder.email}.`);
      }
      const at = deps.clock.now();
      const admin: Admin = { id: newId(deps.random), tenantId, email, name: input.name.trim(), role: input.role, instances: input.role === 'system_admin' ? input.instances : [], identities: input.identities, createdAt: at };
      await store.admins.insert(admin);
      await appendAudit(store, {
        at, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'admin_add', instanceName: null, requestId: null, result: 'ok', code: null,
        details: { email, role: admin.role, instances: admin.instances.join(','), identities: input.identities.map((i) => i.platform).join(',') },
      });
      return admin;
    });
  });
}
