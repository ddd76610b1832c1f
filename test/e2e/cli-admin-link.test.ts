import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorkspace, type CliRun, type CliWorkspace } from '../support/e2e-cli.js';

// Issue 8 item 7: linking a chat identity to an existing admin goes through a roster request once the
// tenant has two global admins. The admins act with the explicit local-development flag (never a silent default).
const DEV = { env: { DUALKEY_DEV_IMPERSONATION: 'true' } };

describe('dualkey admin link / unlink', () => {
  let ws: CliWorkspace;
  beforeAll(async () => {
    ws = await createCliWorkspace();
    await ws.withEngine(async (engine) => {
      const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
      for (const [email, name] of [['ann@example.com', 'Ann'], ['bob@example.com', 'Bob']] as const) {
        await engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
      }
    });
  }, 120_000);
  afterAll(() => ws.dispose());

  const json = <T>(r: CliRun): T => {
    expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.json as T;
  };

  it('refuses the operator linking directly once two global admins exist, and opens a request with --as that shows the identity', async () => {
    const direct = await ws.run(['admin', 'link', 'ann@example.com', '--teams', 'tid-1/aad-2', '--json']);
    expect(direct.code).toBe(1);
    expect((direct.json as { error: { code: string } }).error.code).toBe('roster_change_needs_approval');
    const requested = json<{ request: string; type: string; state: string }>(await ws.run(['admin', 'link', 'ann@example.com', '--teams', 'tid-1/aad-2', '--as', 'ann@example.com', '--json'], DEV));
    expect(requested).toMatchObject({ type: 'admin_change', state: 'pending' });
    const pending = await ws.withEngine((engine) => engine.adminByIdentity('teams', 'tid-1', 'aad-2'));
    expect(pending).toBeNull();
    const unlink = await ws.run(['admin', 'unlink', 'bob@example.com', '--slack', 'T1/U1', '--as', 'ann@example.com', '--json'], DEV);
    expect(unlink.code).toBe(1);
    expect((unlink.json as { error: { code: string } }).error.code).toBe('identity_not_linked');
  }, 120_000);

  it('refuses admin link without an identity as a usage error (exit 2)', async () => {
    expect((await ws.run(['admin', 'link', 'ann@example.com', '--json'])).code).toBe(2);
  }, 60_000);
});
