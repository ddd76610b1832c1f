import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type * as P11 from 'pkcs11js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VaultByokRejectedError } from '../../../core/ports/vault.js';
import { Pkcs11Vault } from '../../../vault/pkcs11-vault.js';
import { makeByok } from '../../support/key-fixtures.js';
import { createNssToken, pkcs11TokensAvailable, type TestToken } from '../../support/pkcs11-tokens.js';

interface Call {
  method: string;
  args: unknown[];
  result?: unknown;
}

/** Attributes whose value is private key material: reading any of them would put the key in this process. */
const SECRET_ATTRIBUTES = new Set([pkcs11js.CKA_VALUE, pkcs11js.CKA_PRIVATE_EXPONENT, pkcs11js.CKA_PRIME_1, pkcs11js.CKA_PRIME_2, pkcs11js.CKA_EXPONENT_1, pkcs11js.CKA_EXPONENT_2, pkcs11js.CKA_COEFFICIENT]);
/** Calls that return plaintext (or wrapped key bytes) to the caller. */
const REVEALING = ['C_Decrypt', 'C_DecryptAsync', 'C_DecryptUpdate', 'C_DecryptFinal', 'C_WrapKey', 'C_WrapKeyAsync', 'C_DecryptVerifyUpdate', 'C_DecryptDigestUpdate'];

/** A pkcs11js object that records every call the adapter makes (arguments and results), then forwards it. */
function recording(api: P11.PKCS11, calls: Call[]): P11.PKCS11 {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const call: Call = { method: prop, args };
        calls.push(call);
        call.result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return call.result;
      };
    },
  });
}

function byokBlob(kekSpki: Buffer, pkcs8: Buffer): Buffer {
  const pem = createPublicKey({ key: kekSpki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;
  return Buffer.from((JSON.parse(makeByok(pem, 'kid', pkcs8).toString()) as { ciphertext: string }).ciphertext, 'base64url');
}

describe.skipIf(!pkcs11TokensAvailable())('PKCS#11 custody: private keys never pass through dualkey', () => {
  let token: TestToken;
  let api: P11.PKCS11;
  let calls: Call[];
  let vault: Pkcs11Vault;
  let kekId: string;
  let kekSpki: Buffer;

  beforeAll(async () => {
    token = createNssToken();
    api = new pkcs11js.PKCS11();
    api.load(token.config.modulePath);
    api.C_Initialize({ libraryParameters: token.config.initArgs! });
    calls = [];
    vault = await Pkcs11Vault.open(token.config, { api: recording(api, calls) });
    kekId = `kek-${randomUUID()}`;
    kekSpki = await vault.createKek(kekId);
  });
  afterAll(() => {
    vault?.close();
    api?.C_Finalize();
    token?.dispose();
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it('imports a BYOK file with two C_UnwrapKey calls that get the wrapped bytes as they are and return only handles', async () => {
    const target = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const blob = byokBlob(kekSpki, target.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const keyId = `byok-${randomUUID()}`;
    const spki = await vault.importByok(kekId, keyId, blob);
    expect(spki.equals(target.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);

    const unwraps = calls.filter((c) => c.method === 'C_UnwrapKey');
    expect(unwraps).toHaveLength(2);
    const rsaBytes = 384; // the 3072-bit KEK
    const [first, second] = unwraps as [Call, Call];
    expect((first.args[1] as P11.Mechanism).mechanism).toBe(pkcs11js.CKM_RSA_PKCS_OAEP);
    expect(((first.args[1] as P11.Mechanism).parameter as P11.RsaOAEP).hashAlg).toBe(pkcs11js.CKM_SHA_1);
    expect((first.args[3] as Buffer).equals(blob.subarray(0, rsaBytes))).toBe(true);
    expect((second.args[3] as Buffer).equals(blob.subarray(rsaBytes))).toBe(true);
    expect((second.args[2] as Buffer).equals(first.result as Buffer)).toBe(true); // unwrapped under the token's own AES key handle
    for (const c of unwraps) expect((c.result as Buffer).length).toBe(8); // a CK_OBJECT_HANDLE, nothing else

    expect(calls.filter((c) => REVEALING.includes(c.method)).map((c) => c.method)).toEqual([]);
    const read = calls.filter((c) => c.method === 'C_GetAttributeValue').flatMap((c) => (c.args[2] as { type: number }[]).map((a) => a.type));
    expect(read.filter((t) => SECRET_ATTRIBUTES.has(t))).toEqual([]);
    expect(calls.filter((c) => c.method === 'C_CreateObject')).toEqual([]);

    // The token holds the key as a sensitive, non-extractable token object: it refuses to reveal or wrap it.
    const session = api.C_OpenSession(api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trim() === 'NSS Certificate DB')!, pkcs11js.CKF_SERIAL_SESSION);
    try {
      api.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }]);
      const [handle] = api.C_FindObjects(session, 2);
      api.C_FindObjectsFinal(session);
      const flags = api.C_GetAttributeValue(session, handle!, [{ type: pkcs11js.CKA_TOKEN }, { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_DECRYPT }, { type: pkcs11js.CKA_UNWRAP }, { type: pkcs11js.CKA_SIGN }]);
      expect(flags.map((a) => a.value[0])).toEqual([1, 1, 0, 1, 0, 0]);
      expect(() => api.C_GetAttributeValue(session, handle!, [{ type: pkcs11js.CKA_PRIVATE_EXPONENT }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
    } finally {
      api.C_CloseSession(session);
    }
    // No transport key is left behind either: the session AES key was destroyed.
    const destroyed = calls.filter((c) => c.method === 'C_DestroyObject').map((c) => (c.args[1] as Buffer).toString('hex'));
    expect(destroyed).toContain((first.result as Buffer).toString('hex'));
  });

  it('refuses a BYOK file holding an EC key inside the token, storing nothing', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' });
    const keyId = `byok-ec-${randomUUID()}`;
    const e = await vault.importByok(kekId, keyId, byokBlob(kekSpki, ec)).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(VaultByokRejectedError);
    expect((e as Error).message).toMatch(/only RSA keys are accepted/);
    expect(await vault.publicKey(keyId)).toBeNull();
  });

  it('makes the KEK usable for unwrapping only', async () => {
    const e = await vault.unwrapDek(kekId, publicEncrypt({ key: createPublicKey({ key: kekSpki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32))).catch((err: unknown) => err as Error);
    expect((e as Error).message).toMatch(/is a key-exchange key \(KEK\) and cannot be used as a protector/);
  });

  it('imports a PFX key with C_CreateObject from views of the caller buffer, so zeroing that buffer leaves no copy in JavaScript', async () => {
    const pkcs8 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' });
    await vault.importKey(`pfx-${randomUUID()}`, pkcs8);
    const [create] = calls.filter((c) => c.method === 'C_CreateObject');
    const values = (create!.args[1] as P11.Attribute[]).filter((a) => SECRET_ATTRIBUTES.has(a.type)).map((a) => a.value as Buffer);
    expect(values).toHaveLength(6);
    for (const v of values) expect(v.buffer === pkcs8.buffer && v.byteOffset >= pkcs8.byteOffset && v.byteOffset + v.length <= pkcs8.byteOffset + pkcs8.length).toBe(true);
    pkcs8.fill(0);
    for (const v of values) expect(v.every((b) => b === 0)).toBe(true);
  });
});
