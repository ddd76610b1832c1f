import { AzureVault } from '../../vault/azure/azure-vault.js';
import { azureCredential } from '../../vault/azure/azure-credential.js';
import { FakeAzureTokenEndpoint } from './fake-azure-token-endpoint.js';
import { localTls } from './fake-azure-tls.js';
import { FakeKeyVault } from './fake-key-vault.js';
import type { VaultAdapter } from './vault-adapters.js';

/** A fake Key Vault with its token endpoint, and a way to open AzureVault adapters on it as a process would. */
export interface AzureFakeWorld {
  tokens: FakeAzureTokenEndpoint;
  keyVault: FakeKeyVault;
  /** The configuration a child process gets (with NODE_EXTRA_CA_CERTS for the fake's certificate). */
  env: Record<string, string>;
  open(opts?: { hsm?: boolean; requestTimeoutMs?: number }): AzureVault;
  close(): Promise<void>;
}

/** Starts the fakes; `now` is the fake vault's clock for deletion and purge dates. */
export async function startAzureFake(opts: { now?: () => Date; purgeProtection?: boolean } = {}): Promise<AzureFakeWorld> {
  const tokens = await FakeAzureTokenEndpoint.start();
  const keyVault = await FakeKeyVault.start({ tokens, ...opts });
  const tlsCa = localTls().certPem;
  const now = opts.now ?? (() => new Date());
  return {
    tokens,
    keyVault,
    env: {
      DUALKEY_VAULT: 'azure',
      AZURE_KEYVAULT_URL: keyVault.url,
      AZURE_TENANT_ID: tokens.tenantId,
      AZURE_CLIENT_ID: tokens.clientId,
      AZURE_CLIENT_SECRET: tokens.clientSecret,
      AZURE_AUTHORITY_HOST: tokens.url,
      AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
    },
    open: (o = {}) =>
      new AzureVault({
        vaultUrl: keyVault.url,
        // The real ClientSecretCredential, pointed at the fake authority; never DefaultAzureCredential.
        credential: azureCredential({ tenantId: tokens.tenantId, clientId: tokens.clientId, clientSecret: tokens.clientSecret, authorityHost: tokens.url, tlsCa }),
        hsm: o.hsm ?? false,
        tlsCa,
        disableChallengeResourceVerification: true,
        pollIntervalMs: 5,
        requestTimeoutMs: o.requestTimeoutMs,
        now,
      }),
    close: async () => {
      await keyVault.close();
      await tokens.close();
    },
  };
}

/** The Azure adapter on a fake Key Vault (purge protection off: destroy purges). */
export const azureFakeAdapter: VaultAdapter = {
  name: 'azure (fake Key Vault)',
  async open() {
    const world = await startAzureFake();
    return { vault: world.open(), reopen: async () => world.open(), destroyOutcome: 'destroyed', dispose: () => world.close() };
  },
};

/** The Azure adapter on a fake Key Vault with purge protection: destroy only soft-deletes. */
export const azureFakePurgeProtectedAdapter: VaultAdapter = {
  name: 'azure (fake Key Vault, purge protection)',
  async open() {
    const world = await startAzureFake({ purgeProtection: true });
    return { vault: world.open(), reopen: async () => world.open(), destroyOutcome: 'deleted', dispose: () => world.close() };
  },
};
