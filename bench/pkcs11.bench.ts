import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { createNssToken } from '../test/support/pkcs11-tokens.js';
import { acquireModule } from '../vault/pkcs11-module.js';
import { oaep } from '../vault/pkcs11-templates.js';
import { Pkcs11Vault } from '../vault/pkcs11-vault.js';
import { median, type BenchRow } from './bench-row.js';

/**
 * DEK unwrap latency through the PKCS#11 adapter (key lookup cache, session pool, OAEP-SHA256) against bare
 * pkcs11js C_DecryptInit + C_Decrypt on the same key, the same token and an already open session, on a
 * private NSS softokn database. Rounds alternate between the two so drift hits both alike. Few operations:
 * NSS softokn decrypts a token key's private attributes from key4.db (PBKDF2 per attribute) on every
 * C_DecryptInit, tens of milliseconds each, and the bench stays under ~20 s.
 */
export async function benchPkcs11(rounds = 6, perRound = 8): Promise<BenchRow[]> {
  const token = createNssToken();
  const vault = await Pkcs11Vault.open(token.config);
  const lease = acquireModule(token.config.modulePath, token.config.initArgs);
  try {
    const keyId = `bench-${randomBytes(4).toString('hex')}`;
    const spki = await vault.generateKey(keyId);
    const dek = randomBytes(32);
    const wrapped = publicEncrypt({ key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);

    const { api } = lease;
    const slot = api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trim() === token.config.tokenLabel)!;
    const session = api.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    api.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }]);
    const [handle] = api.C_FindObjects(session, 1);
    api.C_FindObjectsFinal(session);
    const bare = () => {
      api.C_DecryptInit(session, oaep(pkcs11js.CKM_SHA256, pkcs11js.CKG_MGF1_SHA256), handle!);
      return api.C_Decrypt(session, wrapped, Buffer.alloc(256));
    };
    if (!bare().equals(dek) || !(await vault.unwrapDek(keyId, wrapped)).equals(dek)) throw new Error('unwrap returned another DEK');

    const adapterMs: number[] = [];
    const bareMs: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      let t0 = performance.now();
      for (let i = 0; i < perRound; i += 1) await vault.unwrapDek(keyId, wrapped);
      adapterMs.push((performance.now() - t0) / perRound);
      t0 = performance.now();
      for (let i = 0; i < perRound; i += 1) bare();
      bareMs.push((performance.now() - t0) / perRound);
    }
    api.C_CloseSession(session);
    return [{ name: 'pkcs11 unwrap latency: adapter vs bare pkcs11js C_Decrypt (NSS softokn, RSA-2048 OAEP-SHA256)', dualkey: median(adapterMs) * 1000, baseline: median(bareMs) * 1000, unit: 'µs/op', lowerIsBetter: true, target: { kind: 'ratio_at_most', value: 1.2 } }];
  } finally {
    vault.close();
    lease.release();
    token.dispose();
  }
}
