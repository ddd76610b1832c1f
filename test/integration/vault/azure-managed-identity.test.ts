import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { azureCredential } from '../../../vault/azure/azure-credential.js';
import { AzureVault } from '../../../vault/azure/azure-vault.js';
import { startAzureFake, type AzureFakeWorld } from '../../support/azure-fake-adapter.js';
import { localTls } from '../../support/fake-azure-tls.js';
import { FakeManagedIdentityEndpoint } from '../../support/fake-managed-identity-endpoint.js';
import { overrideProcessEnv } from '../../support/override-process-env.js';

/** AzureVault authenticated by the host's managed identity (no secret), as on App Service or Container Apps. */
describe('Azure Key Vault with a managed identity', () => {
  let world: AzureFakeWorld;
  let identity: FakeManagedIdentityEndpoint;
  let restoreEnv = () => {};
  const tlsCa = localTls().certPem;
  const open = (clientId?: string) => new AzureVault({ vaultUrl: world.keyVault.url, credential: azureCredential({ clientId, tlsCa }), hsm: false, tlsCa, disableChallengeResourceVerification: true, pollIntervalMs: 5, now: () => new Date() });

  beforeAll(async () => {
    world = await startAzureFake();
    identity = await FakeManagedIdentityEndpoint.start((token) => world.tokens.issued.add(token));
    // The managed-identity library reads these when a credential is built, as a process on the host would.
    restoreEnv = overrideProcessEnv(identity.env);
  });
  afterEach(() => {
    identity.requests.length = 0;
  });
  afterAll(async () => {
    restoreEnv();
    await identity?.close();
    await world?.close();
  });

  it('creates a key with the system-assigned identity: a token for https://vault.azure.net, no client id, the identity header', async () => {
    const spki = await open().generateKey('prot-mi-system');
    expect(spki.length).toBeGreaterThan(256);
    expect(world.keyVault.keyNames()).toContain('prot-mi-system');
    expect(identity.requests).toEqual([{ resource: 'https://vault.azure.net', apiVersion: '2019-08-01', clientId: null, authenticated: true }]);
    expect(world.tokens.requests).toHaveLength(0);
  });

  it('asks for the user-assigned identity named by AZURE_CLIENT_ID, and fails clearly when the host has no such identity', async () => {
    identity.identities.add('uami-dualkey');
    await open('uami-dualkey').generateKey('prot-mi-user');
    expect(identity.requests.map((r) => r.clientId)).toEqual(['uami-dualkey']);
    const other = open('uami-unknown');
    expect(await other.ping()).toBe(false);
    await expect(other.generateKey('prot-mi-unknown')).rejects.toThrow(/uami-unknown/);
    expect(world.keyVault.keyNames()).not.toContain('prot-mi-unknown');
  });
});
