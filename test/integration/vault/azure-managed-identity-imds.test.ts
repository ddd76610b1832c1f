import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { azureCredential } from '../../../vault/azure/azure-credential.js';
import { AzureVault } from '../../../vault/azure/azure-vault.js';
import { startAzureFake, type AzureFakeWorld } from '../../support/azure-fake-adapter.js';
import { localTls } from '../../support/fake-azure-tls.js';
import { FakeImdsEndpoint } from '../../support/fake-imds-endpoint.js';
import { overrideProcessEnv } from '../../support/override-process-env.js';

/** AzureVault authenticated by a VM's (or an AKS pod's) managed identity, through the Instance Metadata Service. */
describe('Azure Key Vault with a managed identity from IMDS', () => {
  let world: AzureFakeWorld;
  let imds: FakeImdsEndpoint;
  let restoreEnv = () => {};
  const tlsCa = localTls().certPem;
  const open = (clientId?: string) => new AzureVault({ vaultUrl: world.keyVault.url, credential: azureCredential({ clientId, tlsCa }), hsm: false, tlsCa, disableChallengeResourceVerification: true, pollIntervalMs: 5, now: () => new Date() });

  beforeAll(async () => {
    world = await startAzureFake();
    imds = await FakeImdsEndpoint.start((token) => world.tokens.issued.add(token));
    // A VM has none of the App Service variables, so the library falls through to IMDS.
    restoreEnv = overrideProcessEnv({ IDENTITY_ENDPOINT: undefined, IDENTITY_HEADER: undefined, MSI_ENDPOINT: undefined, MSI_SECRET: undefined, ...imds.env });
  });
  afterEach(() => {
    imds.requests.length = 0;
  });
  afterAll(async () => {
    restoreEnv();
    await imds?.close();
    await world?.close();
  });

  it('creates a key with the system-assigned identity: a token for https://vault.azure.net with the Metadata header, no client id, no secret', async () => {
    const spki = await open().generateKey('prot-imds-system');
    expect(spki.length).toBeGreaterThan(256);
    expect(world.keyVault.keyNames()).toContain('prot-imds-system');
    expect(imds.requests).toEqual([{ resource: 'https://vault.azure.net', apiVersion: '2018-02-01', clientId: null, metadataHeader: true }]);
    expect(world.tokens.requests).toHaveLength(0);
  });

  it('asks for the user-assigned identity named by AZURE_CLIENT_ID, and creates nothing when the VM has no such identity', async () => {
    imds.identities.add('uami-vm');
    await open('uami-vm').generateKey('prot-imds-user');
    expect(imds.requests.map((r) => r.clientId)).toEqual(['uami-vm']);
    const other = open('uami-missing');
    expect(await other.ping()).toBe(false);
    await expect(other.generateKey('prot-imds-missing')).rejects.toThrow(/Identity not found/);
    expect(world.keyVault.keyNames()).not.toContain('prot-imds-missing');
  });
});
