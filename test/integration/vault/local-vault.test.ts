import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultKeyNotFoundError } from '../../../core/ports/vault.js';
import { vaultKeys } from '../../../db/schema/index.js';
import { LocalVault } from '../../../vault/local-vault.js';
import { LocalVaultElsewhereError } from '../../../vault/local-vault-identity.js';
import { sealBinding, sealPrivateKey } from '../../../vault/private-key-seal.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const uploaded = generateKeyPairSync('rsa', { modulusLength: 2048 });
const uploadedPkcs8 = uploaded.privateKey.export({ type: 'pkcs8', format: 'der' });
const uploadedSpki = uploaded.publicKey.export({ type: 'spki', format: 'der' });
const now = () => new Date('2030-01-02T03:04:05Z');
const id = (label: string) => `${label}-${randomUUID()}`;

/** Everything the directory holds, as one string per encoding a scan would look for. */
function dirBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
}

describe('LocalVault (key directory, one sealed file per key)', () => {
  let db: TestDatabase;
  let keyDir: string;
  const masterKey = randomBytes(32);
  let vault: LocalVault;

  beforeAll(async () => {
    db = await createTestDatabase();
    keyDir = mkdtempSync(join(tmpdir(), 'dualkey-local-vault-'));
    vault = await LocalVault.open({ database: db.database, masterKey, keyDir, now });
  });
  afterAll(async () => {
    await db.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('keeps key material out of the database and out of the key files in clear', async () => {
    const keyId = id('secret');
    await vault.importKey(keyId, uploadedPkcs8);
    const rows = await db.database.transaction((tx) => tx.select().from(vaultKeys));
    expect(rows).toEqual([]);
    const files = dirBytes(keyDir);
    expect(files.toString('latin1')).toContain(keyId);
    expect(files.includes(uploadedPkcs8)).toBe(false);
    expect(files.toString('latin1')).not.toContain(uploadedPkcs8.toString('base64').slice(0, 64));
    for (const part of ['d', 'p', 'q'] as const) {
      expect(files.includes(Buffer.from(uploaded.privateKey.export({ format: 'jwk' })[part] as string, 'base64url'))).toBe(false);
    }
  });

  it('destroys by removing the file: no file in the directory still holds the sealed bytes', async () => {
    const keyId = id('shredded');
    await vault.importKey(keyId, uploadedPkcs8);
    const sealed = Buffer.from((JSON.parse(readFileSync(join(keyDir, `${keyId}.key`), 'utf8')) as { ciphertext: string }).ciphertext, 'base64');
    await vault.destroy(keyId);
    expect(readdirSync(keyDir).some((f) => f.includes(keyId))).toBe(false);
    expect(dirBytes(keyDir).includes(sealed.subarray(0, 64))).toBe(false);
    await expect(vault.unwrapDek(keyId, randomBytes(256))).rejects.toBeInstanceOf(VaultKeyNotFoundError);
  });

  it('binds each sealed key to its id: a file copied to another id does not open', async () => {
    const keyId = id('original');
    await vault.importKey(keyId, uploadedPkcs8);
    const moved = id('moved');
    writeFileSync(join(keyDir, `${moved}.key`), readFileSync(join(keyDir, `${keyId}.key`), 'utf8').replace(keyId, moved));
    const error = await vault.unwrapDek(moved, randomBytes(256)).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(VaultKeyNotFoundError);
    expect((error as Error).message).toMatch(/cannot be decrypted/);
  });

  it('binds each sealed key to its purpose: a KEK relabelled as a protector does not open', async () => {
    const keyId = id('relabelled');
    await vault.createKek(keyId);
    const file = join(keyDir, `${keyId}.key`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"purpose":"kek"', '"purpose":"protector"'));
    await expect(vault.unwrapDek(keyId, randomBytes(384))).rejects.toThrow(/cannot be decrypted/);
  });

  it('cannot open keys sealed under another master key', async () => {
    const keyId = id('other-master');
    await vault.importKey(keyId, uploadedPkcs8);
    const impostor = await LocalVault.open({ database: db.database, masterKey: randomBytes(32), keyDir, now });
    await expect(impostor.unwrapDek(keyId, randomBytes(256))).rejects.toThrow(/cannot be decrypted/);
  });

  it('refuses to start on another key directory than the one the database is bound to (single host)', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'dualkey-other-host-'));
    try {
      const error = await LocalVault.open({ database: db.database, masterKey, keyDir: elsewhere, now }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalVaultElsewhereError);
      expect((error as Error).message).toMatch(/single-host.*DUALKEY_VAULT=azure or DUALKEY_VAULT=pkcs11/s);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('finishes a destroy a crashed process left half done', async () => {
    const leftover = join(keyDir, '.shred-0123456789abcdef');
    writeFileSync(leftover, 'sealed bytes of a key being destroyed');
    utimesSync(leftover, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    await LocalVault.open({ database: db.database, masterKey, keyDir, now });
    expect(readdirSync(keyDir)).not.toContain('.shred-0123456789abcdef');
  });
});

describe('LocalVault migration of an installation from before the key directory', () => {
  it('moves every sealed key out of vault_keys into the key directory, losing nothing, and empties the table', async () => {
    const db = await createTestDatabase();
    const keyDir = mkdtempSync(join(tmpdir(), 'dualkey-migrate-'));
    try {
      const masterKey = randomBytes(32);
      const keyId = id('legacy');
      const sealed = sealPrivateKey(masterKey, sealBinding(keyId, 'protector'), uploadedPkcs8);
      await db.database.transaction((tx) => tx.insert(vaultKeys).values({ id: keyId, purpose: 'protector', publicKey: uploadedSpki, encryptedPrivateKey: sealed.ciphertext, nonce: sealed.nonce, tag: sealed.tag, createdAt: now() }));
      const vault = await LocalVault.open({ database: db.database, masterKey, keyDir, now });
      expect((await vault.publicKey(keyId))?.equals(uploadedSpki)).toBe(true);
      const dek = randomBytes(32);
      const { publicEncrypt, constants } = await import('node:crypto');
      const wrapped = publicEncrypt({ key: uploaded.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);
      expect((await vault.unwrapDek(keyId, wrapped)).equals(dek)).toBe(true);
      const count = await db.database.transaction((tx) => tx.execute(sql`select count(*)::int as n from vault_keys`));
      const rows = (Array.isArray(count) ? count : (count as { rows: unknown[] }).rows) as Array<{ n: number }>;
      expect(rows[0]?.n).toBe(0);
    } finally {
      await db.dispose();
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});
