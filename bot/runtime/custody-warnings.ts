import type { Vault } from '../../core/ports/vault.js';
import { AzureVault } from '../../vault/azure/azure-vault.js';
import type { Config } from './config.js';

/** What `serve` warns about at start: key custody that cannot keep the promise "a locked instance cannot be read by anyone". */
export async function custodyWarnings(vault: Vault, config: Pick<Config, 'DUALKEY_VAULT' | 'NODE_ENV'>): Promise<string[]> {
  const warnings: string[] = [];
  if (config.DUALKEY_VAULT === 'local' && config.NODE_ENV === 'production') {
    warnings.push('NODE_ENV=production with the local vault: keys live in files on this host (one host only, and a file-system backup of the key directory keeps destroyed keys); use DUALKEY_VAULT=azure or pkcs11 in production');
  }
  if (vault instanceof AzureVault) {
    try {
      if (await vault.purgeProtected()) {
        warnings.push('the Azure Key Vault has purge protection: locks cannot crypto-shred here — a destroyed key is only soft-deleted and the vault\'s owner can recover it until its scheduled purge date (the lock alert, status and audit show that date)');
      }
    } catch (e) {
      warnings.push(`could not read the Azure Key Vault's recovery level (${e instanceof Error ? e.name : 'error'}): whether locks crypto-shred is unknown`);
    }
  }
  return warnings;
}
