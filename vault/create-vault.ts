import type { Vault } from '../core/ports/vault.js';
import type { Database } from '../db/database.js';
import { LocalVault } from './local-vault.js';
import { loadMasterKey } from './master-key.js';

/** Builds the Vault chosen by DUALKEY_VAULT: the embedded local vault, or (later) Azure Key Vault. */
export function createVault(config: {
  kind: 'local' | 'azure';
  database: Database;
  dataDir: string;
  masterKeyFile?: string;
  now: () => Date;
}): Vault {
  switch (config.kind) {
    case 'local': {
      const masterKey = loadMasterKey({ masterKeyFile: config.masterKeyFile, dataDir: config.dataDir });
      return new LocalVault({ database: config.database, masterKey, now: config.now });
    }
    case 'azure':
      throw new Error('The Azure Key Vault adapter is not available yet; set DUALKEY_VAULT=local');
    default: {
      // Unreachable for typed callers; guards configuration that slipped past validation.
      const kind: never = config.kind;
      throw new Error(`Unknown vault kind ${String(kind)}; set DUALKEY_VAULT to local or azure`);
    }
  }
}
