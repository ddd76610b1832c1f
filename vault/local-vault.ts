import { constants, createPrivateKey, createPublicKey, privateDecrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { VaultKeyNotFoundError } from '../core/ports/vault.js';
import type { Vault } from '../core/ports/vault.js';
import type { Database } from '../db/database.js';
import { vaultKeys } from '../db/schema/vault-keys.js';
import { generateRsaKey } from './generate-rsa-key.js';
import { MASTER_KEY_BYTES } from './master-key.js';
import { openPrivateKey, sealBinding, sealPrivateKey } from './private-key-seal.js';

type Purpose = 'protector' | 'kek';

/** Sizes of keys the vault generates itself: protectors as DESIGN §3 "Generate"; KEKs one step up. */
const PROTECTOR_BITS = 2048;
const KEK_BITS = 3072;

/** What the vault reads back about a stored key before deciding anything. */
interface StoredKey {
  purpose: Purpose;
  publicKey: Buffer;
}

/**
 * The embedded Vault: private keys live in the vault_keys table, only ever encrypted
 * (AES-256-GCM under the master key, bound to the key id and purpose); destroying a key deletes its row.
 */
export class LocalVault implements Vault {
  private readonly database: Database;
  private readonly masterKey: Buffer;
  private readonly now: () => Date;

  constructor(deps: { database: Database; masterKey: Buffer; now: () => Date }) {
    if (deps.masterKey.length !== MASTER_KEY_BYTES) throw new Error(`the local vault needs a ${MASTER_KEY_BYTES}-byte master key`);
    this.database = deps.database;
    this.masterKey = deps.masterKey;
    this.now = deps.now;
  }

  async importKey(keyId: string, pkcs8Der: Buffer): Promise<void> {
    const publicKeyDer = publicKeyOf(keyId, pkcs8Der);
    const stored = await this.insertOnce(keyId, 'protector', publicKeyDer, pkcs8Der);
    // A retried journal step imports the same key again (no-op); a different key under a
    // used id is a bug upstream, and overwriting would silently orphan data.
    if (stored.purpose !== 'protector' || !stored.publicKey.equals(publicKeyDer)) {
      throw new Error(`vault key ${keyId} already holds a different key; a key id is never reused`);
    }
  }

  generateKey(keyId: string): Promise<Buffer> {
    return this.generateOnce(keyId, 'protector', PROTECTOR_BITS);
  }

  createKek(keyId: string): Promise<Buffer> {
    return this.generateOnce(keyId, 'kek', KEK_BITS);
  }

  async decryptWithKek(keyId: string, ciphertext: Buffer): Promise<Buffer> {
    // SHA-1 OAEP is what CKM_RSA_AES_KEY_WRAP (Azure BYOK) mandates; it is only ever used with a KEK.
    const key = await this.privateKeyFor(keyId, 'kek');
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, ciphertext);
  }

  async unwrapDek(keyId: string, wrapped: Buffer): Promise<Buffer> {
    const key = await this.privateKeyFor(keyId, 'protector');
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
  }

  async publicKey(keyId: string): Promise<Buffer | null> {
    return (await this.find(keyId))?.publicKey ?? null;
  }

  async destroy(keyId: string): Promise<void> {
    await this.database.transaction((tx) => tx.delete(vaultKeys).where(eq(vaultKeys.id, keyId)));
  }

  async ping(): Promise<boolean> {
    try {
      await this.database.transaction((tx) => tx.execute(sql`select 1`));
      return true;
    } catch {
      return false;
    }
  }

  /** Generates a key unless `keyId` exists; concurrent callers all end up with the one key that was stored first. */
  private async generateOnce(keyId: string, purpose: Purpose, bits: number): Promise<Buffer> {
    // Look first: generating RSA keys is slow, and retries of a journaled step are common.
    const existing = await this.find(keyId);
    if (existing) return expectPurpose(keyId, existing, purpose).publicKey;
    const { publicKeyDer, privateKeyDer } = await generateRsaKey(bits);
    try {
      const stored = await this.insertOnce(keyId, purpose, publicKeyDer, privateKeyDer);
      return expectPurpose(keyId, stored, purpose).publicKey;
    } finally {
      privateKeyDer.fill(0);
    }
  }

  /** Inserts the sealed key unless the id exists (ON CONFLICT DO NOTHING), then returns whatever is stored under the id. */
  private async insertOnce(keyId: string, purpose: Purpose, publicKeyDer: Buffer, privateKeyDer: Buffer): Promise<StoredKey> {
    const sealed = sealPrivateKey(this.masterKey, sealBinding(keyId, purpose), privateKeyDer);
    const createdAt = this.now();
    return this.database.transaction(async (tx) => {
      await tx
        .insert(vaultKeys)
        .values({ id: keyId, purpose, publicKey: publicKeyDer, encryptedPrivateKey: sealed.ciphertext, nonce: sealed.nonce, tag: sealed.tag, createdAt })
        .onConflictDoNothing({ target: vaultKeys.id });
      // Read committed: this statement sees the row a concurrent winner committed, which
      // the conflicting insert waited for.
      const [row] = await tx.select({ purpose: vaultKeys.purpose, publicKey: vaultKeys.publicKey }).from(vaultKeys).where(eq(vaultKeys.id, keyId));
      if (!row) throw new Error(`vault key ${keyId} was destroyed while being stored`);
      return row;
    });
  }

  private async find(keyId: string): Promise<StoredKey | null> {
    const rows = await this.database.transaction((tx) =>
      tx.select({ purpose: vaultKeys.purpose, publicKey: vaultKeys.publicKey }).from(vaultKeys).where(eq(vaultKeys.id, keyId)),
    );
    return rows[0] ?? null;
  }

  /** Reads and decrypts a private key of the given purpose; the transaction ends before any RSA work. */
  private async privateKeyFor(keyId: string, purpose: Purpose): Promise<KeyObject> {
    const rows = await this.database.transaction((tx) => tx.select().from(vaultKeys).where(eq(vaultKeys.id, keyId)));
    const row = rows[0];
    if (!row) throw new VaultKeyNotFoundError(keyId);
    expectPurpose(keyId, row, purpose);
    const sealed = { ciphertext: row.encryptedPrivateKey, nonce: row.nonce, tag: row.tag };
    return openPrivateKey(this.masterKey, sealBinding(keyId, row.purpose), sealed, keyId);
  }
}

/** Keeps the two kinds of keys apart: a KEK is import-only, and a protector must never act as a KEK. */
function expectPurpose<T extends StoredKey>(keyId: string, stored: T, purpose: Purpose): T {
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
