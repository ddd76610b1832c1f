import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../core/engine.js';
import type { Actor } from '../../../core/model/actor.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

/** Issue 8 item 1 in core: every transport reaches the same use cases, so the refusal lives there, not in the CLI. */
describe('core refuses an operator-impersonated actor', () => {
  let h: Harness;
  let s: Seeded;
  /** The engine as production builds it: no devImpersonation in its deps. */
  let strict: Engine;
  const own = (a: Actor): Actor => ({ admin: a.admin, transport: 'web' });

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const { devImpersonation: _dev, ...deps } = h.engine.deps;
    strict = createEngine(deps);
  });
  afterEach(async () => h.dispose());

  it('refuses key new, upload, revert, lock, unlock, every decision and roster request with operator_cannot_act_as_admin, changing nothing', async () => {
    const change = await strict.changeKey(own(s.ann), s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    const before = JSON.stringify([await strict.listRequests(s.tenant.id, true), await strict.status(s.tenant.id), await strict.listAdmins(s.tenant.id)]);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['key new', () => strict.changeKey(s.cat, s.instance, { kind: 'generate', password: 'a long enough password' })],
      ['key upload', () => strict.changeKey(s.cat, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } })],
      ['key revert', () => strict.changeKey(s.cat, s.instance, { kind: 'revert' })],
      ['approve', () => strict.decide(s.bob, change.request.id, 'approve')],
      ['rollback', () => strict.decide(s.bob, change.request.id, 'rollback')],
      ['reject', () => strict.decide(s.bob, change.request.id, 'reject')],
      ['lock', () => strict.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } })],
      ['unlock', () => strict.unlock(s.ann, s.instance, { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD })],
      ['admin add', () => strict.requestAdminChange(s.ann, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], identities: [] })],
      ['admin remove', () => strict.requestAdminChange(s.ann, { operation: 'admin_remove', email: 'cat@example.com' })],
      ['cli token', () => strict.createCliToken(s.ann, 'for ann')],
    ];
    for (const [what, attempt] of attempts) {
      const r = await refusal(attempt);
      expect(r.code, what).toBe('operator_cannot_act_as_admin');
      expect(r.message).toMatch(/--token-file/);
    }
    expect(JSON.stringify([await strict.listRequests(s.tenant.id, true), await strict.status(s.tenant.id), await strict.listAdmins(s.tenant.id)])).toBe(before);
    const refused = (await strict.listAudit({ tenantId: s.tenant.id }, 100)).filter((e) => e.code === 'operator_cannot_act_as_admin');
    expect(refused).toHaveLength(attempts.length);
    expect(refused.every((e) => e.actor.impersonatedBy === 'operator' && e.result === 'refused')).toBe(true);
  });

  it('still lets the admin act with their own credential, and the harness engine (devImpersonation: true) accept --as', async () => {
    const change = await strict.changeKey(own(s.ann), s.instance, { kind: 'revert' }).catch((e: { code: string }) => e.code);
    expect(change).toBe('already_service_managed'); // reached the rule itself, past the credential check
    const upload = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    expect(upload.request.state).toBe('pending');
  });

  it('lets the operator revoke a token (taking power away) but not an impersonated admin', async () => {
    const { cliToken } = await strict.createCliToken(own(s.ann), 'laptop');
    expect((await refusal(() => strict.revokeCliToken(s.ann, s.tenant.id, cliToken.id))).code).toBe('operator_cannot_act_as_admin');
    expect((await strict.revokeCliToken('operator', s.tenant.id, cliToken.id)).alreadyRevoked).toBe(false);
    expect((await strict.revokeCliToken('operator', s.tenant.id, cliToken.id)).alreadyRevoked).toBe(true);
    expect((await refusal(() => strict.revokeCliToken(own(s.cat), s.tenant.id, 'ct-nosuchtoken'))).code).toBe('token_invalid');
  });
});
