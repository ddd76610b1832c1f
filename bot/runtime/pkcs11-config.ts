import type { Config } from './config.js';
import type { Pkcs11VaultConfig } from '../../vault/pkcs11-vault.js';

/** The PKCS#11 vault's settings from the validated environment, or undefined when another vault is chosen. */
export function pkcs11ConfigOf(config: Config): Pkcs11VaultConfig | undefined {
  if (config.DUALKEY_VAULT !== 'pkcs11' || !config.PKCS11_MODULE || !config.PKCS11_TOKEN_LABEL || !config.PKCS11_PIN_FILE) return undefined;
  return {
    modulePath: config.PKCS11_MODULE,
    tokenLabel: config.PKCS11_TOKEN_LABEL,
    pinFile: config.PKCS11_PIN_FILE,
    initArgs: config.PKCS11_INIT_ARGS,
    kwpMechanism: config.PKCS11_AES_KWP_MECHANISM,
    sessions: config.PKCS11_SESSIONS,
  };
}
