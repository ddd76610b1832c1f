import { join } from 'node:path';
import type { Vault } from '../core/ports/vault.js';
import type { Database } from '../db/database.js';
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
}

/** Builds and opens the Vault chosen by DUALKEY_VAULT. */
export async function createVault(config: VaultConfig): Promise<Vault> {
  switch (config.kind) {
    case 'local': {
      const masterKey = loadMasterKey({ masterKeyFile: config.masterKeyFile, dataDir: config.dataDir });
      return LocalVault.open({ database: config.database, masterKey, keyDir: config.keyDir ?? join(config.dataDir, 'keys'), now: config.now });
    }
    case 'pkcs11':
      if (!config.pkcs11) throw new Error('DUALKEY_VAULT=pkcs11 needs PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN_FILE');
      // Loaded only when chosen: the local vault never loads the native pkcs11js module.
      return (await import('./pkcs11-vault.js')).Pkcs11Vault.open(config.pkcs11);
    case 'azure':
      throw new Error(`The ${config.kind} vault adapter is not available in this build; set DUALKEY_VAULT=local`);
    default: {
      // Unreachable for typed callers; guards configuration that slipped past validation.
      const kind: never = config.kind;
      throw new Error(`Unknown vault kind ${String(kind)}; set DUALKEY_VAULT to local, azure or pkcs11`);
    }
  }
}
