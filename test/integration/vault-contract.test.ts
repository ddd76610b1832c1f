import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultByokRejectedError, VaultKeyNotFoundError, type Vault } from '../../core/ports/vault.js';
import { makeByok } from '../support/key-fixtures.js';
import { azureFakeAdapter, azureFakePurgeProtectedAdapter } from '../support/azure-fake-adapter.js';
import { pkcs11Adapters } from '../support/pkcs11-tokens.js';
import { localAdapter, type OpenedVault, type VaultAdapter } from '../support/vault-adapters.js';

/** The definition of the Vault port: every adapter passes every case. */
const adapters: VaultAdapter[] = [localAdapter, azureFakeAdapter, azureFakePurgeProtectedAdapter, ...pkcs11Adapters];

const target = generateKeyPairSync('rsa', { modulusLength: 2048 });
const targetPkcs8 = target.privateKey.export({ type: 'pkcs8', format: 'der' });
const targetSpki = target.publicKey.export({ type: 'spki', format: 'der' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const id = (label: string) => `${label}-${randomUUID()}`;
/** Vaults whose adapter declares it cannot unwrap DEKs (OpenedVault.dekUnwrapRefused). */
const refusedBy = new WeakMap<Vault, RegExp>();

function wrapDek(spki: Buffer, dek: Buffer): Buffer {
  return publicEncrypt({ key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);
}

/** The ciphertext of a BYOK file for the KEK (what `importByok` receives). */
function byokCiphertext(kekSpki: Buffer, pkcs8: Buffer): Buffer {
  const pem = createPublicKey({ key: kekSpki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;
  return Buffer.from((JSON.parse(makeByok(pem, 'kid', pkcs8).toString()) as { ciphertext: string }).ciphertext, 'base64url');
}

async function expectUnwraps(vault: Vault, keyId: string, spki: Buffer): Promise<void> {
  const dek = randomBytes(32);
  const refused = refusedBy.get(vault);
  if (refused) {
    // A store that cannot unwrap DEKs still says so for a key it holds, not that the key is missing.
    await expect(vault.unwrapDek(keyId, wrapDek(spki, dek))).rejects.toThrow(refused);
    return;
  }
  expect((await vault.unwrapDek(keyId, wrapDek(spki, dek))).equals(dek)).toBe(true);
}

describe.each(adapters)('Vault contract: $name', (adapter) => {
  let opened: OpenedVault;
  let vault: Vault;
  let kekId: string;
  let kekSpki: Buffer;

  beforeAll(async () => {
    opened = await adapter.open();
    vault = opened.vault;
    if (opened.dekUnwrapRefused) {
      const refused = opened.dekUnwrapRefused;
      refusedBy.set(vault, refused);
      const reopen = opened.reopen;
      opened.reopen = async () => {
        const second = await reopen();
        refusedBy.set(second, refused);
        return second;
      };
    }
    kekId = id('kek');
    kekSpki = await vault.createKek(kekId);
  }, 120_000);
  afterAll(async () => {
    await opened?.dispose();
  });

  it('answers ping', async () => {
    expect(await vault.ping()).toBe(true);
  });

  it('imports a key: unwraps DEKs wrapped with its public key and reports that public key', async () => {
    const keyId = id('import');
    await vault.importKey(keyId, targetPkcs8);
    await expectUnwraps(vault, keyId, targetSpki);
    expect((await vault.publicKey(keyId))?.equals(targetSpki)).toBe(true);
    expect(await vault.keyAccess(keyId)).toEqual({ usable: true });
  });

  it('treats a retried import of the same key under the same id as a no-op', async () => {
    const keyId = id('import-twice');
    await vault.importKey(keyId, targetPkcs8);
    await vault.importKey(keyId, targetPkcs8);
    await expectUnwraps(vault, keyId, targetSpki);
  });

  it('refuses a different key under an id in use, keeping the first', async () => {
    const keyId = id('import-conflict');
    await vault.importKey(keyId, targetPkcs8);
    await expect(vault.importKey(keyId, other.privateKey.export({ type: 'pkcs8', format: 'der' }))).rejects.toThrow();
    await expectUnwraps(vault, keyId, targetSpki);
  });

  it('generates a 2048-bit protector once, however often a retried step asks for the same id', async () => {
    const keyId = id('generated');
    const [a, b] = await Promise.all([vault.generateKey(keyId), vault.generateKey(keyId)]);
    expect(a.equals(b)).toBe(true);
    expect((await vault.generateKey(keyId)).equals(a)).toBe(true);
    expect(createPublicKey({ key: a, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((await vault.publicKey(keyId))?.equals(a)).toBe(true);
    await expectUnwraps(vault, keyId, a);
  }, 60_000);

  it('creates the KEK once: an RSA key of 2048 bits or more, usable only for import', async () => {
    expect((await vault.createKek(kekId)).equals(kekSpki)).toBe(true);
    expect(createPublicKey({ key: kekSpki, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
    await expect(vault.unwrapDek(kekId, wrapDek(kekSpki, randomBytes(32)))).rejects.toThrow();
  });

  it('imports a BYOK key inside the store and returns only its public key; a retry returns the same', async () => {
    const keyId = id('byok');
    const blob = byokCiphertext(kekSpki, targetPkcs8);
    const spki = await vault.importByok(kekId, keyId, blob);
    expect(spki.equals(targetSpki)).toBe(true);
    expect((await vault.importByok(kekId, keyId, blob)).equals(targetSpki)).toBe(true);
    await expectUnwraps(vault, keyId, spki);
  });

  it('refuses a BYOK file made for another KEK, storing nothing', async () => {
    const keyId = id('byok-wrong-kek');
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
    await expect(vault.importByok(kekId, keyId, byokCiphertext(foreign, targetPkcs8))).rejects.toBeInstanceOf(VaultByokRejectedError);
    expect(await vault.publicKey(keyId)).toBeNull();
  });

  it('refuses a BYOK file whose RSA part is numerically larger than the KEK\'s modulus, storing nothing', async () => {
    // A file made for another, larger KEK often starts like this; NSS then answers CKR_ARGUMENTS_BAD, not a decrypt error.
    const keyId = id('byok-out-of-range');
    const modulusBytes = createPublicKey({ key: kekSpki, format: 'der', type: 'spki' }).asymmetricKeyDetails!.modulusLength! / 8;
    await expect(vault.importByok(kekId, keyId, Buffer.alloc(modulusBytes + 40, 0xff))).rejects.toBeInstanceOf(VaultByokRejectedError);
    expect(await vault.publicKey(keyId)).toBeNull();
  });

  it('refuses a corrupted BYOK file, storing nothing', async () => {
    const keyId = id('byok-corrupt');
    const blob = byokCiphertext(kekSpki, targetPkcs8);
    blob[blob.length - 9]! ^= 0x40; // inside the AES key wrap: its integrity check fails
    await expect(vault.importByok(kekId, keyId, blob)).rejects.toBeInstanceOf(VaultByokRejectedError);
    expect(await vault.publicKey(keyId)).toBeNull();
  });

  it('destroys a key: unwrap then fails with VaultKeyNotFoundError, the public key is gone, key access says refused, a retry is harmless', async () => {
    const keyId = id('destroyed');
    await vault.importKey(keyId, targetPkcs8);
    const wrapped = wrapDek(targetSpki, randomBytes(32));
    const result = await vault.destroy(keyId);
    expect(result.outcome).toBe(opened.destroyOutcome);
    if (result.outcome === 'deleted') expect(result.recoverableUntil.getTime()).toBeGreaterThan(Date.now());
    await expect(vault.unwrapDek(keyId, wrapped)).rejects.toBeInstanceOf(VaultKeyNotFoundError);
    expect(await vault.publicKey(keyId)).toBeNull();
    // A destroyed key is the store's refusal, not its silence: servers drop cached DEKs on it.
    expect(await vault.keyAccess(keyId)).toMatchObject({ usable: false, refused: true });
    await expect(vault.destroy(keyId)).resolves.toBeTruthy();
  });

  it('destroys a BYOK-imported key like any other', async () => {
    const keyId = id('byok-destroyed');
    await vault.importByok(kekId, keyId, byokCiphertext(kekSpki, targetPkcs8));
    await vault.destroy(keyId);
    await expect(vault.unwrapDek(keyId, wrapDek(targetSpki, randomBytes(32)))).rejects.toBeInstanceOf(VaultKeyNotFoundError);
  });

  it('reports a never-created key as not found and destroying it as a no-op', async () => {
    const keyId = id('missing');
    const error = await vault.unwrapDek(keyId, randomBytes(256)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultKeyNotFoundError);
    expect((error as VaultKeyNotFoundError).keyId).toBe(keyId);
    expect(await vault.publicKey(keyId)).toBeNull();
    await expect(vault.destroy(keyId)).resolves.toBeTruthy();
  });

  it('tags audit data deterministically with a key only the store holds, the same in another process', async () => {
    const data = Buffer.from('audit entry 42');
    const tag = await vault.auditTag(data);
    expect(tag.length).toBeGreaterThanOrEqual(32);
    expect((await vault.auditTag(Buffer.from('audit entry 42'))).equals(tag)).toBe(true);
    expect((await vault.auditTag(Buffer.from('audit entry 43'))).equals(tag)).toBe(false);
    const second = await opened.reopen();
    expect((await second.auditTag(data)).equals(tag)).toBe(true);
  });

  it('lets a second process of the deployment use keys the first stored', async () => {
    const keyId = id('shared');
    await vault.importKey(keyId, targetPkcs8);
    const second = await opened.reopen();
    await expectUnwraps(second, keyId, targetSpki);
  });
});
