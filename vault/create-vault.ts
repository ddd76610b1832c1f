import { join } from 'node:path';
import type { Vault } from '../core/ports/vault.js';
import type { Database } from '../db/database.js';
import type { AzureCredentialConfig } from './azure/azure-credential.js';
import { LocalVault } from './local-vault.js';
import { loadMasterKey } from './master-key.js';
import type { Pkcs11VaultConfig } from './pkcs11-vault.js';

/** What building a vault needs from the configuration (DESIGN §6 / issue 9). */
export interface VaultConfig {
  kind: 'local' | 'azure' | 'pkcs11';
  database: Database;
  dataDir: string;
  masterKeyFile?: string | undefined;
  keyDir?: string | undefined;
  now: () => Date;
  /** DUALKEY_VAULT=pkcs11: the token (PKCS11_MODULE, PKCS11_TOKEN_LABEL, PKCS11_PIN_FILE, …). */
  pkcs11?: Pkcs11VaultConfig | undefined;
  /** DUALKEY_VAULT=azure: the vault URL, HSM keys or not, credentials (managed identity when no secret). */
  azure?: (AzureCredentialConfig & { vaultUrl?: string | undefined; hsm?: boolean | undefined; disableChallengeResourceVerification?: boolean | undefined }) | undefined;
}

/** Builds and opens the Vault chosen by DUALKEY_VAULT. */
export async function createVault(config: VaultConfig): Promise<Vault> {
  switch (config.kind) {
    case 'local': {
      const masterKey = loadMasterKey({ masterKeyFile: config.masterKeyFile, dataDir: config.dataDir });
      return LocalVault.open({ database: config.database, masterKey, keyDir: config.keyDir ?? join(config.dataDir, 'keys'), now: config.now });
    }
    case 'azure': {
      const a = config.azure;
      if (!a?.vaultUrl) throw new Error('DUALKEY_VAULT=azure needs AZURE_KEYVAULT_URL, e.g. https://my-vault.vault.azure.net');
      // Loaded only when chosen: the Azure SDKs stay out of every other process.
      const [{ AzureVault }, { azureCredential }] = await Promise.all([import('./azure/azure-vault.js'), import('./azure/azure-credential.js')]);
      const vault = new AzureVault({ vaultUrl: a.vaultUrl, credential: azureCredential(a), hsm: a.hsm ?? false, disableChallengeResourceVerification: a.disableChallengeResourceVerification, now: config.now });
      if (!(await vault.ping())) throw new Error(`Azure Key Vault at ${a.vaultUrl} does not answer or refuses dualkey's identity: check AZURE_KEYVAULT_URL, the credentials, and the keys get permission`);
      return vault;
    }
    case 'pkcs11':
      if (!config.pkcs11) throw new Error('DUALKEY_VAULT=pkcs11 needs PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN_FILE');
      // Loaded only when chosen: the local vault never loads the native pkcs11js module.
      return (await import('./pkcs11-vault.js')).Pkcs11Vault.open(config.pkcs11);
    default: {
      // Unreachable for typed callers; guards configuration that slipped past validation.
      const kind: never = config.kind;
      throw new Error(`Unknown vault kind ${String(kind)}; set DUALKEY_VAULT to local, azure or pkcs11`);
    }
  }
}
