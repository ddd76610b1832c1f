import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pkcs11VaultConfig, Pkcs11VaultTestOptions } from '../../vault/pkcs11-vault.js';
import { Pkcs11Vault } from '../../vault/pkcs11-vault.js';
import type { OpenedVault, VaultAdapter } from './vault-adapters.js';

/** Where Debian installs the two software tokens (packages libnss3 + libnss3-tools, softhsm2). */
export const NSS_SOFTOKN = '/usr/lib/x86_64-linux-gnu/libsoftokn3.so';
export const SOFTHSM2 = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = 'dualkey-test-pin-4711';

/** A private token made by a test: its vault configuration, the same as environment variables, and cleanup. */
export interface TestToken {
  config: Pkcs11VaultConfig;
  env: Record<string, string>;
  dir: string;
  dispose(): void;
}

/**
 * True when the tokens' libraries and tools are installed. In CI (`CI=true`) their absence is a failure,
 * never a silent skip: `.ci/run` installs softhsm2, libnss3 and libnss3-tools.
 */
export function pkcs11TokensAvailable(): boolean {
  const present = [NSS_SOFTOKN, SOFTHSM2, '/usr/bin/certutil', '/usr/bin/softhsm2-util'].every((f) => existsSync(f));
  if (!present && process.env.CI === 'true') throw new Error('softhsm2, libnss3 and libnss3-tools must be installed in CI (.ci/run installs them)');
  return present;
}

/** NSS softokn library parameters for a database directory (what PKCS11_INIT_ARGS holds). */
export function nssInitArgs(dir: string): string {
  return `configdir='sql:${dir}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=optimizeSpace`;
}

/** A fresh NSS softokn database (certutil -N, user PIN set), token "NSS Certificate DB". */
export function createNssToken(): TestToken {
  const dir = mkdtempSync(join(tmpdir(), 'dualkey-nss-'));
  const pinFile = join(dir, 'pin');
  writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '-f', pinFile], { stdio: 'pipe' });
  const config = { modulePath: NSS_SOFTOKN, tokenLabel: 'NSS Certificate DB', pinFile, initArgs: nssInitArgs(dir) };
  return { config, dir, env: envOf(config), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh SoftHSM2 token in a private token directory. SoftHSM2 reads SOFTHSM2_CONF at C_Initialize, so the
 * variable is set for this process (one SoftHSM2 configuration per process) and returned for child processes.
 */
export function createSoftHsmToken(): TestToken {
  const dir = mkdtempSync(join(tmpdir(), 'dualkey-softhsm-'));
  const conf = join(dir, 'softhsm2.conf');
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pinFile = join(dir, 'pin');
  writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
  const label = 'dualkey-test';
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', PIN, '--so-pin', 'so-pin-0815'], { stdio: 'pipe', env: { ...process.env, SOFTHSM2_CONF: conf } });
  process.env.SOFTHSM2_CONF = conf;
  // SoftHSM2 2.6 implements RFC 5649 under CKM_AES_KEY_WRAP_PAD, not CKM_AES_KEY_WRAP_KWP.
  const config = { modulePath: SOFTHSM2, tokenLabel: label, pinFile, kwpMechanism: 'CKM_AES_KEY_WRAP_PAD' };
  return { config, dir, env: { ...envOf(config), SOFTHSM2_CONF: conf }, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function envOf(config: Pkcs11VaultConfig): Record<string, string> {
  const env: Record<string, string> = { DUALKEY_VAULT: 'pkcs11', PKCS11_MODULE: config.modulePath, PKCS11_TOKEN_LABEL: config.tokenLabel, PKCS11_PIN_FILE: config.pinFile };
  if (config.initArgs) env.PKCS11_INIT_ARGS = config.initArgs;
  if (config.kwpMechanism) env.PKCS11_AES_KWP_MECHANISM = config.kwpMechanism;
  return env;
}

function tokenAdapter(name: string, make: () => TestToken, options: Pkcs11VaultTestOptions, extra: Partial<OpenedVault>): VaultAdapter {
  return {
    name,
    async open() {
      const token = make();
      const opened: Pkcs11Vault[] = [];
      const open = async () => {
        const vault = await Pkcs11Vault.open(token.config, options);
        opened.push(vault);
        return vault;
      };
      return {
        vault: await open(),
        reopen: open,
        destroyOutcome: 'destroyed',
        ...extra,
        dispose: async () => {
          for (const v of opened) v.close();
          token.dispose();
        },
      };
    },
  };
}

/** NSS softokn: runs the whole contract. */
export const nssAdapter: VaultAdapter = tokenAdapter('pkcs11 NSS softokn', createNssToken, {}, {});

/**
 * SoftHSM2 2.6 decrypts RSA-OAEP with SHA-1 only, so `Pkcs11Vault.open` refuses it (test/integration/vault/
 * pkcs11-softhsm.test.ts); opened anyway, it runs every other case, and unwrapDek throws that refusal.
 */
export const softHsmAdapter: VaultAdapter = tokenAdapter('pkcs11 SoftHSM2', createSoftHsmToken, { tolerateMissingOaepSha256: true }, { dekUnwrapRefused: /does not support CKM_RSA_PKCS_OAEP with SHA-256/ });

/** The PKCS#11 adapters under the contract suite (none when the tokens are not installed, outside CI). */
export const pkcs11Adapters: VaultAdapter[] = pkcs11TokensAvailable() ? [nssAdapter, softHsmAdapter] : [];
