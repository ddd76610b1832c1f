import type { VaultConfig } from '../../vault/create-vault.js';
import type { Config } from './config.js';

/** The Azure Key Vault part of the vault configuration, from the validated environment. */
export function azureVaultConfig(c: Config): VaultConfig['azure'] {
  return {
    vaultUrl: c.AZURE_KEYVAULT_URL,
    tenantId: c.AZURE_TENANT_ID,
    clientId: c.AZURE_CLIENT_ID,
    clientSecret: c.AZURE_CLIENT_SECRET,
    authorityHost: c.AZURE_AUTHORITY_HOST,
    hsm: c.DUALKEY_AZURE_HSM,
    disableChallengeResourceVerification: c.AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION,
  };
}
