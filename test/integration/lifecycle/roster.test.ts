import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outbox } from '../../../db/schema/index.js';
import { addApprovedAdmin, asCli, createHarness, refusal, type Harness } from '../../support/engine-harness.js';
import type { Actor } from '../../../core/model/actor.js';
import type { Tenant } from '../../../core/model/tenant.js';

describe('roster changes under the two-person rule', () => {
  let h: Harness;
  let tenant: Tenant;
  let ann: Actor;
  let bob: Actor;
  const add = (email: string, role: 'global_admin' | 'service_admin' = 'global_admin') =>
    h.engine.addAdmin(tenant.id, { email, name: email.split('@')[0]!, role, instances: [], identities: [] });

  beforeEach(async () => {
    h = await createHarness();
    tenant = await h.engine.createTenant('acme', { selfManagedKeys: true });
  });
  afterEach(() => h.dispose());

  it('lets the operator add the first two global admins directly, audited as the operator', async () => {
    ann = asCli(await add('ann@example.com'));
    bob = asCli(await add('bob@example.com'));
    const entries = await h.engine.listAudit({ tenantId: tenant.id });
    expect(entries.filter((e) => e.action === 'admin_add').map((e) => [e.actor.kind, e.details.email])).toEqual([
      ['operator', 'bob@example.com'],
      ['operator', 'ann@example.com'],
    ]);
  });

  it('refuses the operator direct path once two global admins exist, and for other roles, with roster_change_needs_approval', async () => {
    await add('ann@example.com');
    expect((await refusal(() => add('svc@example.com', 'service_admin'))).code).toBe('roster_change_needs_approval');
    await add('bob@example.com');
    expect((await refusal(() => add('cat@example.com'))).code).toBe('roster_change_needs_approval');
  });

  describe('with two global admins', () => {
    beforeEach(async () => {
      ann = asCli(await add('ann@example.com'));
      bob = asCli(await add('bob@example.com'));
      h.clock.advanceHours(1);
    });

    it('adds an admin only after a second global admin approves, alerting every admin', async () => {
      const request = await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'cat@example.com', name: 'Cat', role: 'service_admin', instances: [], identities: [] });
      expect(request).toMatchObject({ type: 'admin_change', state: 'pending', instanceId: null });
      expect((await refusal(() => h.engine.adminByEmail(tenant.id, 'cat@example.com'))).code).toBe('admin_not_found');
      const rows = await h.db.database.transaction((tx) => tx.select().from(outbox));
      expect(rows.filter((r) => r.requestId === request.id).map((r) => r.adminId).sort()).toEqual([ann.admin.id, bob.admin.id].sort());
      expect((await refusal(() => h.engine.decide(ann, request.id, 'approve'))).code).toBe('self_approval');
      await h.engine.decide(bob, request.id, 'approve');
      expect((await h.engine.adminByEmail(tenant.id, 'cat@example.com')).role).toBe('service_admin');
    });

    it('refuses roster requests and decisions from admins who are not global admins with not_admin', async () => {
      const cat = asCli(await addApprovedAdmin(h, { ann, bob }, { email: 'cat@example.com', name: 'Cat', role: 'service_admin', instances: [], identities: [] }));
      expect((await refusal(() => h.engine.requestAdminChange(cat, { operation: 'admin_remove', email: 'ann@example.com' }))).code).toBe('not_admin');
      const request = await h.engine.requestAdminChange(ann, { operation: 'admin_remove', email: 'cat@example.com' });
      expect((await refusal(() => h.engine.decide(cat, request.id, 'approve'))).code).toBe('not_admin');
    });

    it('does not let an admin added after a request was opened decide it (admin_too_new)', async () => {
      const pending = await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], identities: [] });
      h.clock.advanceHours(1);
      const dan = asCli(await addApprovedAdmin(h, { ann, bob }, { email: 'dan@example.com', name: 'Dan', role: 'global_admin', instances: [], identities: [] }));
      expect((await refusal(() => h.engine.decide(dan, pending.id, 'approve'))).code).toBe('admin_too_new');
    });

    it('removes an admin on approval, and never the last global admin (last_global_admin)', async () => {
      const cat = asCli(await addApprovedAdmin(h, { ann, bob }, { email: 'cat@example.com', name: 'Cat', role: 'global_admin', instances: [], identities: [] }));
      h.clock.advanceHours(1);
      const removeBob = await h.engine.requestAdminChange(ann, { operation: 'admin_remove', email: 'bob@example.com' });
      await h.engine.decide(cat, removeBob.id, 'approve');
      expect((await refusal(() => h.engine.adminByEmail(tenant.id, 'bob@example.com'))).code).toBe('admin_not_found');
      // Two removals requested while two global admins remain: the second cannot apply once the first did.
      const removeAnn = await h.engine.requestAdminChange(cat, { operation: 'admin_remove', email: 'ann@example.com' });
      const removeCat = await h.engine.requestAdminChange(ann, { operation: 'admin_remove', email: 'cat@example.com' });
      await h.engine.decide(ann, removeAnn.id, 'approve');
      expect((await refusal(() => h.engine.decide(cat, removeCat.id, 'approve'))).code).toBe('last_global_admin');
      expect((await h.engine.listRequests(tenant.id, false)).map((r) => r.id)).toContain(removeCat.id);
      expect((await refusal(() => h.engine.requestAdminChange(cat, { operation: 'admin_remove', email: 'cat@example.com' }))).code).toBe('last_global_admin');
    });

    it('refuses a second open request for the same e-mail with change_pending', async () => {
      await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], identities: [] });
      expect((await refusal(() => h.engine.requestAdminChange(bob, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'service_admin', instances: [], identities: [] }))).code).toBe('change_pending');
    });

    it('expires an unapproved roster change at its deadline', async () => {
      const request = await h.engine.requestAdminChange(ann, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], identities: [] });
      h.clock.advanceHours(72);
      const [expired] = await h.engine.sweep();
      expect(expired).toMatchObject({ id: request.id, state: 'expired' });
      expect((await refusal(() => h.engine.adminByEmail(tenant.id, 'eve@example.com'))).code).toBe('admin_not_found');
    });
  });
});
