import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataPlaneTokens } from '../../../db/schema/index.js';
import { addApprovedAdmin, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';

describe('setting up tenants, admins and instances', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  const admin = (email: string, extra: Partial<{ role: 'global_admin' | 'system_admin'; instances: string[] }> = {}) =>
    h.engine.requestAdminChange(s.ann, { operation: 'admin_add', email, name: 'Someone', role: extra.role ?? 'global_admin', instances: extra.instances ?? [], identities: [] });

  it('refuses duplicates with tenant_exists, admin_exists and instance_exists', async () => {
    expect((await refusal(() => h.engine.createTenant('acme', { selfManagedKeys: true }))).code).toBe('tenant_exists');
    expect((await refusal(() => admin('ANN@example.com'))).code).toBe('admin_exists');
    expect((await refusal(() => h.engine.createInstance(s.tenant.id, s.instance))).code).toBe('instance_exists');
  });

  it.each(['Acme', 'a_b', '-lead', 'trail-', '', 'x'.repeat(64)])('refuses the name %j with invalid_input', async (name) => {
    expect((await refusal(() => h.engine.createTenant(name, { selfManagedKeys: true }))).code).toBe('invalid_input');
    expect((await refusal(() => h.engine.createInstance(s.tenant.id, name))).code).toBe('invalid_input');
  });

  it('refuses a malformed e-mail and a system_admin without instances with invalid_input, and an identity linked twice with identity_in_use', async () => {
    expect((await refusal(() => admin('not-an-email'))).code).toBe('invalid_input');
    expect((await refusal(() => admin('dan@example.com', { role: 'system_admin' }))).code).toBe('invalid_input');
    const slack = { platform: 'slack' as const, workspace: 'T1', userId: 'U1' };
    await addApprovedAdmin(h, s, { email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], identities: [slack] });
    expect((await refusal(() => h.engine.requestAdminChange(s.ann, { operation: 'admin_add', email: 'fay@example.com', name: 'Fay', role: 'global_admin', instances: [], identities: [slack] }))).code).toBe('identity_in_use');
    expect((await h.engine.adminByIdentity('slack', 'T1', 'U1'))?.email).toBe('eve@example.com');
  });

  it('resolves the only tenant without a name, and asks for one when there are several', async () => {
    expect((await h.engine.resolveTenant()).name).toBe('acme');
    await h.engine.createTenant('globex', { selfManagedKeys: false });
    expect((await refusal(() => h.engine.resolveTenant())).code).toBe('tenant_required');
    expect((await refusal(() => h.engine.resolveTenant('initech'))).code).toBe('tenant_not_found');
    expect((await refusal(() => h.engine.adminByEmail(s.tenant.id, 'nobody@example.com'))).code).toBe('admin_not_found');
  });

  it('issues bearer tokens stored only as hashes, each bound to one instance', async () => {
    const token = await h.engine.issueToken(s.tenant.id, s.instance);
    expect(token).toMatch(/^dkt_[A-Za-z0-9_-]{43}$/);
    expect((await h.engine.resolveToken(token)).name).toBe(s.instance);
    expect((await refusal(() => h.engine.resolveToken(`${token}x`))).code).toBe('token_invalid');
    const rows = await h.db.database.transaction((tx) => tx.select().from(dataPlaneTokens));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
  });
});
