import { constants, createPrivateKey, createPublicKey, privateDecrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assertSafeRsaKey } from '../core/keyfiles/assert-safe-rsa-key.js';
import { VaultByokRejectedError, VaultKeyNotFoundError } from '../core/ports/vault.js';
import type { DestroyOutcome, KeyAccess, Vault } from '../core/ports/vault.js';
import type { Database } from '../db/database.js';
import { generateRsaKey } from './generate-rsa-key.js';
import { localAuditTagger } from './local-audit-tag.js';
import { LocalKeyDir, type KeyFileRecord } from './local-key-dir.js';
import { claimLocalVault, migrateLegacyKeys } from './local-vault-identity.js';
import { MASTER_KEY_BYTES } from './master-key.js';
import { openPrivateKey, sealBinding, sealPrivateKey } from './private-key-seal.js';
import { unwrapByokInProcess } from './unwrap-byok.js';

type Purpose = 'protector' | 'kek';

/** Sizes of keys the vault generates itself: protectors as DESIGN §3 "Generate"; KEKs one step up. */
const PROTECTOR_BITS = 2048;
const KEK_BITS = 3072;

/** What opening a local vault needs. */
export interface LocalVaultOptions {
  database: Database;
  masterKey: Buffer;
  /** The key directory (default `<dataDir>/keys`): one sealed file per key. */
  keyDir: string;
  now: () => Date;
}

/**
 * The embedded Vault: each private key is sealed (AES-256-GCM under the master key, bound to the key id
 * and purpose) in its own file of a key directory — never in the database — and destroying a key
 * overwrites and removes its file. Single-host: every process of a deployment must share the directory.
 */
export class LocalVault implements Vault {
  private readonly keys: LocalKeyDir;
  private readonly masterKey: Buffer;
  private readonly now: () => Date;
  private readonly tag: (data: Buffer) => Buffer;

  /** Opens the vault: binds the database to this key directory and moves keys of older installations out of the database. */
  static async open(opts: LocalVaultOptions): Promise<LocalVault> {
    const vault = new LocalVault(opts);
    vault.keys.sweepLeftovers(Date.now());
    await claimLocalVault(opts.database, vault.keys, opts.now());
    await migrateLegacyKeys(opts.database, vault.keys);
    return vault;
  }

  private constructor(deps: LocalVaultOptions) {
    if (deps.masterKey.length !== MASTER_KEY_BYTES) throw new Error(`the local vault needs a ${MASTER_KEY_BYTES}-byte master key`);
    this.keys = new LocalKeyDir(deps.keyDir);
    this.masterKey = deps.masterKey;
    this.now = deps.now;
    this.tag = localAuditTagger(deps.masterKey);
  }

  /** The key directory (tests and operators look at it). */
  get keyDir(): string {
    return this.keys.dir;
  }

  /** Ids of every stored key of a purpose (tests check what a crash left behind). */
  storedKeyIds(purpose: Purpose = 'protector'): string[] {
    return this.keys.list().filter((id) => this.keys.read(id)?.purpose === purpose);
  }

  async importKey(keyId: string, pkcs8Der: Buffer): Promise<void> {
    this.store(keyId, 'protector', publicKeyOf(keyId, pkcs8Der), pkcs8Der);
  }

  generateKey(keyId: string): Promise<Buffer> {
    return this.generateOnce(keyId, 'protector', PROTECTOR_BITS);
  }

  createKek(keyId: string): Promise<Buffer> {
    return this.generateOnce(keyId, 'kek', KEK_BITS);
  }

  async importByok(kekId: string, keyId: string, byokCiphertext: Buffer): Promise<Buffer> {
    const kek = this.privateKeyFor(kekId, 'kek');
    const pkcs8 = unwrapByokInProcess(kek, byokCiphertext);
    if (!pkcs8) throw new VaultByokRejectedError(keyId, `it does not unwrap with key-exchange key ${kekId}`);
    try {
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      } catch {
        throw new VaultByokRejectedError(keyId, 'the unwrapped bytes are not a PKCS#8 private key');
      }
      // As an HSM checks a key it unwraps, this store refuses an unsafe RSA key before keeping it (a
      // DomainError naming the rule): only here is the private half, and so the n = p·q rule, visible.
      // Other key types are stored: the caller applies the type rules on the public key and destroys a refused one.
      if (privateKey.asymmetricKeyType === 'rsa') assertSafeRsaKey(privateKey);
      const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      this.store(keyId, 'protector', spki, pkcs8);
      return spki;
    } finally {
      pkcs8.fill(0);
    }
  }

  async unwrapDek(keyId: string, wrapped: Buffer): Promise<Buffer> {
    const key = this.privateKeyFor(keyId, 'protector');
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
  }

  async publicKey(keyId: string): Promise<Buffer | null> {
    return this.keys.read(keyId)?.publicKey ?? null;
  }

  async keyAccess(keyId: string): Promise<KeyAccess> {
    try {
      return this.keys.read(keyId) ? { usable: true } : { usable: false, cause: `the key file of ${keyId} is missing from the local vault's key directory`, refused: true };
    } catch (e) {
      return { usable: false, cause: `the local vault's key directory cannot be read (${(e as { code?: string }).code ?? 'error'})`, refused: false };
    }
  }

  async destroy(keyId: string): Promise<DestroyOutcome> {
    this.keys.destroy(keyId);
    return { outcome: 'destroyed' };
  }

  async auditTag(data: Buffer): Promise<Buffer> {
    return this.tag(data);
  }

  async ping(): Promise<boolean> {
    try {
      this.keys.list();
      return true;
    } catch {
      return false;
    }
  }

  /** Generates a key unless `keyId` exists; concurrent callers all end up with the one key that was stored first. */
  private async generateOnce(keyId: string, purpose: Purpose, bits: number): Promise<Buffer> {
    // Look first: generating RSA keys is slow, and retries of a journaled step are common.
    const existing = this.keys.read(keyId);
    if (existing) return expectPurpose(keyId, existing, purpose).publicKey;
    const { publicKeyDer, privateKeyDer } = await generateRsaKey(bits);
    try {
      const stored = this.keys.writeOnce(keyId, this.seal(keyId, purpose, publicKeyDer, privateKeyDer));
      return expectPurpose(keyId, stored, purpose).publicKey;
    } finally {
      privateKeyDer.fill(0);
    }
  }

  /** Stores a key once; a retried import of the same key is a no-op, a different key under a used id a bug. */
  private store(keyId: string, purpose: Purpose, publicKeyDer: Buffer, privateKeyDer: Buffer): void {
    const stored = this.keys.writeOnce(keyId, this.seal(keyId, purpose, publicKeyDer, privateKeyDer));
    // Overwriting would silently orphan data sealed under the first key.
    if (stored.purpose !== purpose || !stored.publicKey.equals(publicKeyDer)) {
      throw new Error(`vault key ${keyId} already holds a different key; a key id is never reused`);
    }
  }

  private seal(keyId: string, purpose: Purpose, publicKey: Buffer, privateKeyDer: Buffer): KeyFileRecord {
    const sealed = sealPrivateKey(this.masterKey, sealBinding(keyId, purpose), privateKeyDer);
    return { purpose, publicKey, ...sealed, createdAt: this.now().toISOString() };
  }

  /** Reads and decrypts a private key of the given purpose. */
  private privateKeyFor(keyId: string, purpose: Purpose): KeyObject {
    const record = this.keys.read(keyId);
    if (!record) throw new VaultKeyNotFoundError(keyId);
    expectPurpose(keyId, record, purpose);
    return openPrivateKey(this.masterKey, sealBinding(keyId, record.purpose), record, keyId);
  }
}

/** Keeps the two kinds of keys apart: a KEK is import-only, and a protector must never act as a KEK. */
function expectPurpose<T extends { purpose: Purpose }>(keyId: string, stored: T, purpose: Purpose): T {
  if (stored.purpose !== purpose) {
    const what = stored.purpose === 'kek' ? 'a key-exchange key (KEK)' : 'a protector key';
    throw new Error(`vault key ${keyId} is ${what} and cannot be used as a ${purpose === 'kek' ? 'KEK' : 'protector'}`);
  }
  return stored;
}

/** Parses the PKCS#8 DER (RSA only: every vault operation is RSA-OAEP) and derives its SPKI DER public key. */
function publicKeyOf(keyId: string, pkcs8Der: Buffer): Buffer {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' });
  } catch {
    // OpenSSL's message is safe, but a fixed one is certain to carry nothing of the input.
    throw new Error(`cannot import vault key ${keyId}: not a PKCS#8 DER private key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`cannot import vault key ${keyId}: ${privateKey.asymmetricKeyType ?? 'unknown'} keys are not supported, only RSA`);
  }
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}
