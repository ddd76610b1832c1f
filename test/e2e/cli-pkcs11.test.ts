import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Vault } from '../../vault/pkcs11-vault.js';
import { createCliWorkspace, spawnServe, type CliRun, type CliWorkspace } from '../support/e2e-cli.js';
import { FIXTURE_PASSWORD } from '../support/key-fixtures.js';
import { createNssToken, pkcs11TokensAvailable, type TestToken } from '../support/pkcs11-tokens.js';
import { engineIndependentSkip } from '../support/test-engine.js';

const PFX = path.resolve(import.meta.dirname, '..', 'fixtures', 'keyfiles', 'rsa-2048.pfx');

function ok<T>(r: CliRun<T>): T {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.json;
}

describe.skipIf(!pkcs11TokensAvailable() || engineIndependentSkip)('dualkey CLI and serve with DUALKEY_VAULT=pkcs11 (NSS softokn) from the environment', () => {
  let token: TestToken;
  let ws: CliWorkspace;
  let env: Record<string, string>;

  beforeAll(async () => {
    token = createNssToken();
    ws = await createCliWorkspace();
    // Admins are impersonated by the operator here, so the local-development flag is set explicitly.
    env = { ...token.env, DUALKEY_DEV_IMPERSONATION: 'true' };
    Object.assign(ws.env, env); // withEngine opens the runtime from the workspace's environment
  });
  afterAll(async () => {
    await ws?.dispose();
    token?.dispose();
  });

  it('keeps every key in the token: upload, approval, status from separate CLI processes, and serve is ready', async () => {
    writeFileSync(path.join(ws.cwd, 'pw.txt'), `${FIXTURE_PASSWORD}\n`, { mode: 0o600 });
    const run = <T>(args: string[]) => ws.run<T>([...args, '--json'], { env });
    // Seeded in this process through the same runtime the CLI opens (its service key goes into the token too).
    await ws.withEngine(async (engine) => {
      const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
      for (const [email, name] of [['ann@example.com', 'Ann'], ['bob@example.com', 'Bob']] as const) {
        await engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
      }
      await engine.createInstance(tenant.id, 'crm-prod');
    });
    const change = ok(await run<{ request: string; kind: string }>(['key', 'upload', 'crm-prod', '--as', 'ann@example.com', '--file', PFX, '--password-file', 'pw.txt']));
    expect(change.kind).toBe('pfx');
    ok(await run(['approve', change.request, '--as', 'bob@example.com']));
    expect(ok(await run(['status', 'crm-prod']))).toMatchObject({ state: 'active', keyMode: 'customer', protector: { kind: 'pfx' }, keyAccessProblem: null });

    // Another process of the deployment (this one) sees the same token: only the uploaded key is left in it.
    const vault = await Pkcs11Vault.open(token.config);
    try {
      expect(await vault.storedKeyIds('protector')).toHaveLength(1);
    } finally {
      vault.close();
    }

    const serve = await spawnServe(ws, { env });
    try {
      const res = await fetch(`${serve.url}/readyz`);
      expect(await res.json()).toEqual({ status: 'ready', database: true, vault: true, keyAccess: expect.objectContaining({ inaccessible: 0 }) });
    } finally {
      await serve.stop();
    }
  });

  it('refuses to start with a token that is not there, naming PKCS11_TOKEN_LABEL', async () => {
    const r = await ws.run(['status', '--json'], { env: { ...env, PKCS11_TOKEN_LABEL: 'no such token' } });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/no PKCS#11 token labelled \\"no such token\\" \(PKCS11_TOKEN_LABEL\)|no PKCS#11 token labelled "no such token" \(PKCS11_TOKEN_LABEL\)/);
  });
});
