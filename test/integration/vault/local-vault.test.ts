import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultKeyNotFoundError } from '../../../core/ports/vault.js';
import type { Database } from '../../../db/database.js';
import { LocalVault } from '../../../vault/local-vault.js';
import { createTestDatabase } from '../../support/test-database.js';

/** One RSA key made outside the vault, as an uploaded PFX or BYOK file would deliver it. */
const uploaded = generateKeyPairSync('rsa', { modulusLength: 2048 });
const uploadedPkcs8 = uploaded.privateKey.export({ type: 'pkcs8', format: 'der' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const now = () => new Date('2030-01-02T03:04:05Z');
const id = (label: string) => `${label}-${randomUUID()}`;

function wrap(spkiDer: Buffer | KeyObject, data: Buffer, oaepHash: 'sha256' | 'sha1'): Buffer {
  const key = Buffer.isBuffer(spkiDer) ? { key: spkiDer, format: 'der' as const, type: 'spki' as const } : { key: spkiDer };
  return publicEncrypt({ ...key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
}

describe('LocalVault', () => {
  let database: Database;
  let dispose: () => Promise<void>;
  let vault: LocalVault;

  beforeAll(async () => {
    ({ database, dispose } = await createTestDatabase());
    vault = new LocalVault({ database, masterKey: randomBytes(32), now });
  });
  afterAll(async () => {
    await dispose();
  });

  /** Every vault_keys row as text, whatever the driver: bytea columns appear as hex (\x...). */
  async function vaultKeysAsText(): Promise<string> {
    const result = await database.transaction((tx) => tx.execute(sql`select row_to_json(v)::text as row from vault_keys v`));
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { row: string }[];
    return rows.map((r) => r.row).join('\n');
  }

  it('unwraps a DEK wrapped with the public key of an imported key', async () => {
    const keyId = id('import');
    await vault.importKey(keyId, uploadedPkcs8);
    const dek = randomBytes(32);
    const wrapped = wrap(uploaded.publicKey, dek, 'sha256');
    expect((await vault.unwrapDek(keyId, wrapped)).equals(dek)).toBe(true);
    const spki = uploaded.publicKey.export({ type: 'spki', format: 'der' });
    expect((await vault.publicKey(keyId))?.equals(spki)).toBe(true);
  });

  it('treats importing the same key under the same id again as a no-op', async () => {
    const keyId = id('import-twice');
    await vault.importKey(keyId, uploadedPkcs8);
    await vault.importKey(keyId, uploadedPkcs8);
    await Promise.all([vault.importKey(keyId, uploadedPkcs8), vault.importKey(keyId, uploadedPkcs8)]);
    const dek = randomBytes(32);
    expect((await vault.unwrapDek(keyId, wrap(uploaded.publicKey, dek, 'sha256'))).equals(dek)).toBe(true);
  });

  it('refuses to import a different key under an id already in use, keeping the first', async () => {
    const keyId = id('import-conflict');
    await vault.importKey(keyId, uploadedPkcs8);
    await expect(vault.importKey(keyId, other.privateKey.export({ type: 'pkcs8', format: 'der' }))).rejects.toThrow(/different key/);
    const dek = randomBytes(32);
    expect((await vault.unwrapDek(keyId, wrap(uploaded.publicKey, dek, 'sha256'))).equals(dek)).toBe(true);
  });

  it('refuses to import something that is not an RSA PKCS#8 key', async () => {
    await expect(vault.importKey(id('junk'), randomBytes(300))).rejects.toThrow(/PKCS#8/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' });
    await expect(vault.importKey(id('ec'), ec)).rejects.toThrow(/only RSA/);
  });

  it('generates a 2048-bit protector once, however many concurrent calls ask for the same id', async () => {
    const keyId = id('generated');
    const [a, b, c] = await Promise.all([vault.generateKey(keyId), vault.generateKey(keyId), vault.generateKey(keyId)]);
    expect(a.equals(b) && b.equals(c)).toBe(true);
    expect((await vault.generateKey(keyId)).equals(a)).toBe(true);
    expect((await vault.publicKey(keyId))?.equals(a)).toBe(true);
    const dek = randomBytes(32);
    expect((await vault.unwrapDek(keyId, wrap(a, dek, 'sha256'))).equals(dek)).toBe(true);
    const { asymmetricKeyDetails } = publicKeyObject(a);
    expect(asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('creates a 3072-bit KEK once and decrypts RSA-OAEP-SHA1 ciphertext made with its public key', async () => {
    const keyId = id('kek');
    const [kek, again] = await Promise.all([vault.createKek(keyId), vault.createKek(keyId)]);
    expect(kek.equals(again)).toBe(true);
    expect((await vault.createKek(keyId)).equals(kek)).toBe(true);
    expect(publicKeyObject(kek).asymmetricKeyDetails?.modulusLength).toBe(3072);
    const aesKey = randomBytes(32);
    expect((await vault.decryptWithKek(keyId, wrap(kek, aesKey, 'sha1'))).equals(aesKey)).toBe(true);
  });

  it('keeps KEKs and protectors apart', async () => {
    const kekId = id('kek-only');
    const protectorId = id('protector-only');
    const kek = await vault.createKek(kekId);
    await vault.importKey(protectorId, uploadedPkcs8);
    await expect(vault.unwrapDek(kekId, wrap(kek, randomBytes(32), 'sha256'))).rejects.toThrow(/KEK/);
    await expect(vault.decryptWithKek(protectorId, wrap(uploaded.publicKey, randomBytes(32), 'sha1'))).rejects.toThrow(/protector/);
    await expect(vault.generateKey(kekId)).rejects.toThrow(/KEK/);
    await expect(vault.createKek(protectorId)).rejects.toThrow(/protector/);
    await expect(vault.importKey(kekId, uploadedPkcs8)).rejects.toThrow();
  });

  it('crypto-shreds a key: afterwards it cannot unwrap and has no public key', async () => {
    const keyId = id('destroyed');
    await vault.importKey(keyId, uploadedPkcs8);
    const wrapped = wrap(uploaded.publicKey, randomBytes(32), 'sha256');
    await vault.destroy(keyId);
    await expect(vault.unwrapDek(keyId, wrapped)).rejects.toBeInstanceOf(VaultKeyNotFoundError);
    await expect(vault.decryptWithKek(keyId, wrapped)).rejects.toBeInstanceOf(VaultKeyNotFoundError);
    expect(await vault.publicKey(keyId)).toBeNull();
    expect(await vaultKeysAsText()).not.toContain(keyId);
  });

  it('treats destroying an absent key as a no-op', async () => {
    await expect(vault.destroy(id('never-existed'))).resolves.toBeUndefined();
  });

  it('reports a never-created key as not found', async () => {
    const keyId = id('missing');
    const error = await vault.unwrapDek(keyId, randomBytes(256)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultKeyNotFoundError);
    expect((error as VaultKeyNotFoundError).keyId).toBe(keyId);
    expect(await vault.publicKey(keyId)).toBeNull();
  });

  it('never stores a private key in clear: neither its PKCS#8 DER, its PEM text, nor its private numbers', async () => {
    const generatedId = id('generated-secret');
    await vault.importKey(id('imported-secret'), uploadedPkcs8);
    await vault.generateKey(generatedId);
    const table = await vaultKeysAsText();
    expect(table).toContain('"encrypted_private_key"'); // the query really reads the column
    const pem = uploaded.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const pemBody = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    expect(table).not.toContain(uploadedPkcs8.toString('hex'));
    expect(table).not.toContain(pemBody);
    expect(table).not.toContain(uploadedPkcs8.toString('base64'));
    for (const part of ['d', 'p', 'q'] as const) {
      const hex = Buffer.from(uploaded.privateKey.export({ format: 'jwk' })[part] as string, 'base64url').toString('hex');
      expect(table).not.toContain(hex);
    }
  });

  it('binds each encrypted key to its id: a blob moved to another id cannot be decrypted', async () => {
    const keyId = id('original');
    const movedId = id('moved');
    await vault.importKey(keyId, uploadedPkcs8);
    await database.transaction((tx) => tx.execute(sql`update vault_keys set id = ${movedId} where id = ${keyId}`));
    const wrapped = wrap(uploaded.publicKey, randomBytes(32), 'sha256');
    const error = await vault.unwrapDek(movedId, wrapped).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(VaultKeyNotFoundError);
    expect((error as Error).message).toMatch(/cannot be decrypted/);
  });

  it('binds each encrypted key to its purpose: a KEK relabelled as a protector cannot be decrypted', async () => {
    const keyId = id('relabelled');
    const kek = await vault.createKek(keyId);
    await database.transaction((tx) => tx.execute(sql`update vault_keys set purpose = 'protector' where id = ${keyId}`));
    await expect(vault.unwrapDek(keyId, wrap(kek, randomBytes(32), 'sha256'))).rejects.toThrow(/cannot be decrypted/);
  });

  it('cannot decrypt keys stored under another master key', async () => {
    const keyId = id('other-master');
    await vault.importKey(keyId, uploadedPkcs8);
    const impostor = new LocalVault({ database, masterKey: randomBytes(32), now });
    const wrapped = wrap(uploaded.publicKey, randomBytes(32), 'sha256');
    await expect(impostor.unwrapDek(keyId, wrapped)).rejects.toThrow(/cannot be decrypted/);
  });

  it('records the creation time from the injected clock', async () => {
    const keyId = id('dated');
    await vault.importKey(keyId, uploadedPkcs8);
    expect(await vaultKeysAsText()).toContain('2030-01-02T03:04:05');
  });

  it('answers ping', async () => {
    expect(await vault.ping()).toBe(true);
  });
});

/** The public key's details (modulus size), parsed from SPKI DER. */
function publicKeyObject(spkiDer: Buffer): KeyObject {
  return createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
}
