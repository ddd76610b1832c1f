import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custodyWarnings } from '../../../bot/runtime/custody-warnings.js';
import { loadConfig } from '../../../bot/runtime/config.js';
import type { AzureVault } from '../../../vault/azure/azure-vault.js';
import { fixture } from '../../support/key-fixtures.js';
import { startAzureFake, type AzureFakeWorld } from '../../support/azure-fake-adapter.js';
import { TestClock } from '../../support/test-clock.js';

const pkcs8 = fixture('rsa-2048.key.der');
const id = (label: string) => `${label}-${randomUUID()}`;

describe('Azure Key Vault adapter against the fake Key Vault', () => {
  const clock = new TestClock('2030-03-01T10:00:00Z');
  let world: AzureFakeWorld;
  let vault: AzureVault;

  beforeAll(async () => {
    world = await startAzureFake({ now: () => clock.now() });
    vault = world.open();
  });
  afterAll(() => world?.close());

  it('authenticates by challenge: the first call is answered 401, the real ClientSecretCredential gets a vault token, the retry carries it', async () => {
    const fresh = world.open();
    const before = world.keyVault.calls.length;
    expect(await fresh.ping()).toBe(true);
    const calls = world.keyVault.calls.slice(before);
    expect(calls[0]!.status).toBe(401);
    expect(calls.at(-1)!.status).toBe(404); // the probe key does not exist: an authenticated answer
    expect(world.tokens.requests.at(-1)).toMatchObject({ grantType: 'client_credentials', clientId: world.tokens.clientId, scope: 'https://vault.azure.net/.default' });
  });

  it('refuses to ping with a wrong client secret', async () => {
    const { AzureVault: Ctor } = await import('../../../vault/azure/azure-vault.js');
    const { azureCredential } = await import('../../../vault/azure/azure-credential.js');
    const { localTls } = await import('../../support/fake-azure-tls.js');
    const tlsCa = localTls().certPem;
    const bad = new Ctor({ vaultUrl: world.keyVault.url, credential: azureCredential({ tenantId: world.tokens.tenantId, clientId: world.tokens.clientId, clientSecret: 'wrong', authorityHost: world.tokens.url, tlsCa }), hsm: false, tlsCa, disableChallengeResourceVerification: true, now: () => clock.now() });
    expect(await bad.ping()).toBe(false);
  });

  it('sends the BYOK blob as-is to the vault\'s own BYOK import (key_hsm, RSA-HSM) and unwraps nothing itself', async () => {
    const kekId = id('kek');
    await vault.createKek(kekId);
    const kek = world.keyVault.calls.filter((c) => c.method === 'POST' && c.path === `/keys/${kekId}/create` && c.status === 200).at(-1)!;
    expect(kek.request).toMatchObject({ kty: 'RSA-HSM', key_ops: ['import'] });
    const kekPem = (await import('node:crypto')).createPublicKey({ key: (await vault.publicKey(kekId))!, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;
    const { makeByok } = await import('../../support/key-fixtures.js');
    const blob = Buffer.from((JSON.parse(makeByok(kekPem, kekId, pkcs8).toString()) as { ciphertext: string }).ciphertext, 'base64url');
    const before = world.keyVault.calls.length;
    const keyId = id('byok');
    await vault.importByok(kekId, keyId, blob);
    const calls = world.keyVault.calls.slice(before);
    const put = calls.find((c) => c.method === 'PUT' && c.path === `/keys/${keyId}` && c.status === 200)!;
    const jwk = (put.request as { key: Record<string, unknown> }).key;
    expect(jwk.kty).toBe('RSA-HSM');
    expect(jwk.d).toBeUndefined();
    const file = JSON.parse(Buffer.from(String(jwk.key_hsm), 'base64url').toString()) as { header: { kid: string; enc: string }; ciphertext: string };
    expect(Buffer.from(file.ciphertext, 'base64url').equals(blob)).toBe(true);
    expect(file.header).toMatchObject({ enc: 'CKM_RSA_AES_KEY_WRAP', kid: expect.stringContaining(`/keys/${kekId}/`) as unknown });
    expect(calls.filter((c) => /unwrapkey|decrypt/.test(c.path))).toEqual([]);
  });

  it('retries a 429 after its Retry-After and a 503, then succeeds', async () => {
    const keyId = id('throttled');
    await vault.importKey(keyId, pkcs8);
    world.keyVault.injectFaults(1, 429, { retryAfterSeconds: 1, path: new RegExp(`/keys/${keyId}/?$`) });
    world.keyVault.injectFaults(1, 503, { path: new RegExp(`/keys/${keyId}/?$`) });
    const before = world.keyVault.calls.length;
    const started = Date.now();
    expect(await vault.keyAccess(keyId)).toEqual({ usable: true });
    const statuses = world.keyVault.calls.slice(before).map((c) => c.status);
    expect(statuses).toEqual([429, 503, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // Retry-After: 1 was honoured
  });

  it('gives up on a failing vault after a bounded number of retries', async () => {
    const keyId = id('failing');
    await vault.importKey(keyId, pkcs8);
    world.keyVault.injectFaults(20, 500, { path: new RegExp(`/keys/${keyId}/?$`) });
    const before = world.keyVault.calls.length;
    await expect(vault.publicKey(keyId)).rejects.toThrow();
    expect(world.keyVault.calls.slice(before).length).toBe(5); // one try and four retries
    world.keyVault.clearFaults();
  }, 30_000);

  it('gives up on a hung vault after the request timeout instead of waiting forever', async () => {
    const keyId = id('hung');
    await vault.importKey(keyId, pkcs8);
    const impatient = world.open({ requestTimeoutMs: 150 });
    await impatient.ping();
    world.keyVault.hangs = 100;
    const before = world.keyVault.calls.length;
    const started = Date.now();
    try {
      expect(await impatient.keyAccess(keyId)).toEqual({ usable: false, cause: expect.stringContaining('did not answer') as unknown, refused: false });
      // The SDK does not retry its own timeouts: one unanswered attempt, then the refusal.
      expect(world.keyVault.calls.slice(before).map((c) => c.status)).toEqual([0]);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      world.keyVault.hangs = 0;
    }
  }, 30_000);

  it('reports a disabled key, a deleted key and a vault outage as not usable, with the cause, only the outage as not a refusal', async () => {
    const keyId = id('health');
    await vault.importKey(keyId, pkcs8);
    world.keyVault.setEnabled(keyId, false);
    expect(await vault.keyAccess(keyId)).toEqual({ usable: false, cause: expect.stringContaining('disabled') as unknown, refused: true });
    world.keyVault.setEnabled(keyId, true);
    expect(await vault.keyAccess(keyId)).toEqual({ usable: true });
    world.keyVault.up = false;
    try {
      expect(await vault.keyAccess(keyId)).toEqual({ usable: false, cause: expect.stringContaining('did not answer') as unknown, refused: false });
    } finally {
      world.keyVault.up = true;
    }
    await vault.destroy(keyId);
    expect(await vault.keyAccess(keyId)).toEqual({ usable: false, cause: expect.stringContaining('deleted') as unknown, refused: true });
  }, 30_000);

  it('creates and imports protectors as HSM keys with DUALKEY_AZURE_HSM, as software keys without', async () => {
    const hsm = world.open({ hsm: true });
    const generated = id('hsm-generated');
    const imported = id('hsm-imported');
    await hsm.generateKey(generated);
    await hsm.importKey(imported, pkcs8);
    await vault.generateKey(id('soft'));
    const create = (name: string) => world.keyVault.calls.find((c) => c.path === `/keys/${name}/create` && c.status === 200)!.request;
    expect(create(generated)).toMatchObject({ kty: 'RSA-HSM', key_size: 2048, key_ops: ['wrapKey', 'unwrapKey'] });
    expect(world.keyVault.calls.find((c) => c.method === 'PUT' && c.path === `/keys/${imported}` && c.status === 200)!.request).toMatchObject({ Hsm: true });
    expect(world.keyVault.calls.filter((c) => c.path.endsWith('/create') && c.path.includes('/keys/soft-')).at(-1)!.request).toMatchObject({ kty: 'RSA' });
  });

  it('keeps the private key out of the error when an import fails', async () => {
    const keyId = id('import-fails');
    world.keyVault.injectFaults(10, 500, { path: new RegExp(`/keys/${keyId}$`) });
    const error = (await vault.importKey(keyId, pkcs8).catch((e: unknown) => e)) as Error;
    world.keyVault.clearFaults();
    expect(error.message).toMatch(/did not import key .* \(HTTP 500/);
    expect(Object.keys(error)).not.toContain('request');
    const d = (await import('node:crypto')).createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }).d!;
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(d);
  }, 30_000);

  it('purges a deleted key when the vault allows it: the key is gone from the vault', async () => {
    const keyId = id('purged');
    await vault.importKey(keyId, pkcs8);
    expect(await vault.destroy(keyId)).toEqual({ outcome: 'destroyed' });
    expect(world.keyVault.state(keyId)).toBe('absent');
    expect(world.keyVault.calls.some((c) => c.method === 'DELETE' && c.path === `/deletedkeys/${keyId}` && c.status === 204)).toBe(true);
  });

  it('does not warn at serve start on a vault without purge protection', async () => {
    expect(await custodyWarnings(vault, { DUALKEY_VAULT: 'azure', NODE_ENV: 'production' })).toEqual([]);
  });
});

describe('Azure Key Vault adapter with purge protection', () => {
  const clock = new TestClock('2030-03-01T10:00:00Z');
  let world: AzureFakeWorld;

  beforeAll(async () => {
    world = await startAzureFake({ now: () => clock.now(), purgeProtection: true });
  });
  afterAll(() => world?.close());

  it('reports destroy as deleted, recoverable until the scheduled purge date, and never calls purge', async () => {
    const vault = world.open();
    const keyId = id('protected');
    await vault.importKey(keyId, pkcs8);
    const result = await vault.destroy(keyId);
    expect(result).toEqual({ outcome: 'deleted', recoverableUntil: new Date('2030-05-30T10:00:00Z') });
    expect(world.keyVault.state(keyId)).toBe('deleted');
    expect(world.keyVault.calls.some((c) => c.method === 'DELETE' && c.path.startsWith('/deletedkeys/'))).toBe(false);
    // A retried destroy step (crash after delete) reports the same.
    expect(await vault.destroy(keyId)).toEqual(result);
  });

  it('warns at serve start that locks cannot crypto-shred there', async () => {
    const warnings = await custodyWarnings(world.open(), { DUALKEY_VAULT: 'azure', NODE_ENV: undefined });
    expect(warnings).toEqual([expect.stringContaining('purge protection') as unknown]);
  });
});

describe('custody warnings and Azure configuration', () => {
  it('warns when the local vault runs with NODE_ENV=production, not otherwise', async () => {
    const local = { ping: async () => true } as unknown as AzureVault;
    expect(await custodyWarnings(local, { DUALKEY_VAULT: 'local', NODE_ENV: 'production' })).toEqual([expect.stringContaining('local vault') as unknown]);
    expect(await custodyWarnings(local, { DUALKEY_VAULT: 'local', NODE_ENV: 'development' })).toEqual([]);
  });

  it('refuses DUALKEY_VAULT=azure without AZURE_KEYVAULT_URL, and a client secret without tenant and client ids', () => {
    expect(() => loadConfig({ DUALKEY_VAULT: 'azure' })).toThrow(/AZURE_KEYVAULT_URL is required when DUALKEY_VAULT=azure/);
    expect(() => loadConfig({ DUALKEY_VAULT: 'azure', AZURE_KEYVAULT_URL: 'https://v.vault.azure.net', AZURE_CLIENT_SECRET: 's' })).toThrow(/AZURE_CLIENT_SECRET needs AZURE_TENANT_ID/);
    expect(() => loadConfig({ DUALKEY_VAULT: 'azure', AZURE_KEYVAULT_URL: 'https://v.vault.azure.net', DUALKEY_AZURE_HSM: 'yes' })).toThrow(/DUALKEY_AZURE_HSM must be true or false/);
  });
});
