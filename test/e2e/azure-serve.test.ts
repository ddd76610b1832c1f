import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureFake, type AzureFakeWorld } from '../support/azure-fake-adapter.js';
import { createCliWorkspace, spawnServe, type CliRun, type CliWorkspace } from '../support/e2e-cli.js';
import { localTls } from '../support/fake-azure-tls.js';
import { FakeManagedIdentityEndpoint } from '../support/fake-managed-identity-endpoint.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { engineIndependentSkip } from '../support/test-engine.js';

function ok<T>(r: CliRun<T>): T {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.json;
}

/** `dualkey serve` and the CLI as separate processes with DUALKEY_VAULT=azure against the fake Key Vault (with purge protection). */
describe.skipIf(engineIndependentSkip)('serve and CLI with DUALKEY_VAULT=azure (fake Key Vault, purge protection on)', () => {
  let world: AzureFakeWorld;
  let ws: CliWorkspace;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await startAzureFake({ purgeProtection: true });
    ws = await createCliWorkspace();
    const ca = path.join(ws.cwd, 'fake-vault-ca.pem');
    writeFileSync(ca, localTls().certPem);
    // Child processes trust the fake's self-signed certificate the standard node way.
    env = { ...world.env, NODE_EXTRA_CA_CERTS: ca, DUALKEY_DEV_IMPERSONATION: 'true' };
  }, 60_000);
  afterAll(async () => {
    await ws?.dispose();
    await world?.close();
  });

  it('creates the service key in Key Vault from the CLI, uploads a PFX into it, and serve warns about purge protection and reports ready', async () => {
    ok(await ws.run(['tenant', 'create', 'acme', '--json'], { env }));
    ok(await ws.run(['admin', 'add', 'ann@example.com', '--name', 'Ann', '--role', 'global_admin', '--json'], { env }));
    ok(await ws.run(['instance', 'create', 'crm-prod', '--json'], { env }));
    expect(world.keyVault.keyNames().some((n) => n.startsWith('prot-'))).toBe(true);
    writeFileSync(path.join(ws.cwd, 'key.pfx'), fixture('rsa-2048.pfx'));
    writeFileSync(path.join(ws.cwd, 'pw.txt'), FIXTURE_PASSWORD);
    const upload = ok(await ws.run<{ kind: string; state: string }>(['key', 'upload', 'crm-prod', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw.txt', '--json'], { env }));
    expect(upload).toMatchObject({ kind: 'pfx', state: 'pending' });
    const imports = world.keyVault.calls.filter((c) => c.method === 'PUT' && c.status === 200);
    expect(imports).toHaveLength(1);
    expect(world.tokens.requests.length).toBeGreaterThan(0);

    const serve = await spawnServe(ws, { env });
    try {
      expect(serve.serving).toMatchObject({ vault: 'azure' });
      expect(serve.stderr()).toMatch(/"level":"warn".*purge protection: locks cannot crypto-shred here/);
      const ready = await fetch(`${serve.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', vault: true, keyAccess: { checked: 1, inaccessible: 0 } });
    } finally {
      await serve.stop();
    }
  }, 120_000);

  it('answers the data plane 503 key_inaccessible while the customer disables their key, and serves again once it is enabled', async () => {
    const token = ok(await ws.run<{ token: string }>(['instance', 'token', 'crm-prod', '--json'], { env })).token;
    // Every protector key the instance has had (the service key and the uploaded one): the current one is among them.
    const keys = world.keyVault.keyNames().filter((n) => n.startsWith('prot-'));
    for (const name of keys) world.keyVault.setEnabled(name, false);
    // A fresh serve holds no DEKs yet, so its first call has to unwrap them in the vault.
    const serve = await spawnServe(ws, { env });
    const url = `${serve.url}/v1/instances/crm-prod/records/customers%2F1`;
    const auth = { authorization: `Bearer ${token}` };
    try {
      const refused = await fetch(url, { method: 'PUT', headers: auth, body: 'Ada' });
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('key_inaccessible');
      expect(body.error.message).toMatch(/crm-prod's key cannot be used right now: Azure Key Vault refuses to use it \(HTTP 403/);
      for (const name of keys) world.keyVault.setEnabled(name, true);
      expect((await fetch(url, { method: 'PUT', headers: auth, body: 'Ada' })).status).toBe(201);
      expect(await (await fetch(url, { headers: auth })).text()).toBe('Ada');
    } finally {
      for (const name of keys) world.keyVault.setEnabled(name, true);
      await serve.stop();
    }
  }, 120_000);

  it('authenticates with the host\'s managed identity when no client secret is configured: a CLI creates an instance key in Key Vault', async () => {
    const identity = await FakeManagedIdentityEndpoint.start((token) => world.tokens.issued.add(token));
    try {
      const before = world.tokens.requests.length;
      const managed = { ...env, ...identity.env, AZURE_TENANT_ID: undefined, AZURE_CLIENT_ID: undefined, AZURE_CLIENT_SECRET: undefined, AZURE_AUTHORITY_HOST: undefined };
      const keys = new Set(world.keyVault.keyNames());
      ok(await ws.run(['instance', 'create', 'crm-mi', '--json'], { env: managed }));
      expect(world.keyVault.keyNames().filter((n) => !keys.has(n) && n.startsWith('prot-'))).toHaveLength(1);
      expect(identity.requests.length).toBeGreaterThan(0);
      expect(identity.requests.every((r) => r.authenticated && r.resource === 'https://vault.azure.net' && r.clientId === null)).toBe(true);
      expect(world.tokens.requests.length, 'no client-secret token was asked for').toBe(before);
    } finally {
      await identity.close();
    }
  }, 60_000);
});
