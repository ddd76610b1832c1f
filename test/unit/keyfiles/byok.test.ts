import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseByokFile, unwrapByok, type ByokKek } from '../../../core/keyfiles/byok.js';
import { expectedFingerprint, expectRefusal, fixture, rejectionOf, thrownBy } from './support.js';

/** The fixture KEK as the vault would present it: RSA-OAEP (SHA-1, MGF1-SHA-1) decryption. */
function kekFrom(privateKey: KeyObject): ByokKek & { calls: number } {
  const kek = {
    calls: 0,
    publicKeySpki: createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
    async decrypt(rsaPart: Buffer): Promise<Buffer> {
      kek.calls++;
      return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, rsaPart);
    },
  };
  return kek;
}

const testKek = (): ByokKek & { calls: number } => kekFrom(createPrivateKey(fixture('kek-test.key.pem')));

const envelopeJson = (over: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Buffer => Buffer.from(JSON.stringify({
  schema_version: '1.0.0',
  header: { kid: 'kek-test', alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP', ...header },
  ciphertext: 'AAAA',
  generator: 'test',
  ...over,
}));

describe('parseByokFile', () => {
  it('reads the openssl-made BYOK file: kid, ciphertext, generator', () => {
    const envelope = parseByokFile(fixture('rsa-2048.byok'));
    expect(envelope.kid).toBe('kek-test');
    expect(envelope.generator).toMatch(/^dualkey make-fixtures\.sh/);
    expect(envelope.ciphertext.length).toBeGreaterThan(384 + 1200); // RSA 3072 part + wrapped PKCS#8
  });

  it('accepts a UTF-8 BOM, leading whitespace and a missing generator', () => {
    const json = JSON.parse(fixture('rsa-2048.byok').toString()) as Record<string, unknown>;
    delete json.generator;
    const envelope = parseByokFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\n  ${JSON.stringify(json)}`)]));
    expect(envelope.generator).toBeNull();
  });

  const bad: Array<[string, Buffer]> = [
    ['not JSON', Buffer.from('{"schema_version":')],
    ['a JSON array', Buffer.from('[1,2]')],
    ['another schema version', envelopeJson({ schema_version: '2.0.0' })],
    ['no header', envelopeJson({ header: undefined })],
    ['an empty kid', envelopeJson({}, { kid: '' })],
    ['alg other than dir', envelopeJson({}, { alg: 'RSA-OAEP' })],
    ['enc other than CKM_RSA_AES_KEY_WRAP', envelopeJson({}, { enc: 'A256GCM' })],
    ['ciphertext that is not base64url', envelopeJson({ ciphertext: 'a+b/c' })],
    ['no ciphertext', envelopeJson({ ciphertext: undefined })],
    ['a non-string generator', envelopeJson({ generator: 42 })],
  ];
  for (const [what, bytes] of bad) {
    it(`refuses a BYOK file with ${what} with keyfile_malformed, describing the expected format`, () => {
      expect(expectRefusal(thrownBy(() => parseByokFile(bytes)), 'keyfile_malformed').message).toContain('"enc":"CKM_RSA_AES_KEY_WRAP"');
    });
  }

  it('refuses random bytes and deeply nested JSON with keyfile_malformed', () => {
    expectRefusal(thrownBy(() => parseByokFile(fixture('rsa-2048.pfx'))), 'keyfile_malformed');
    expectRefusal(thrownBy(() => parseByokFile(Buffer.from(`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`))), 'keyfile_malformed');
  });

  it('refuses a BYOK file over 64 KiB with keyfile_malformed', () => {
    const huge = envelopeJson({ generator: 'x'.repeat(70 * 1024) });
    expect(expectRefusal(thrownBy(() => parseByokFile(huge)), 'keyfile_malformed').message).toContain('64 KiB');
  });
});

describe('unwrapByok (CKM_RSA_AES_KEY_WRAP made by the openssl CLI)', () => {
  it('unwraps the RSA 2048 target to the same key as rsa-2048.pfx', async () => {
    const key = await unwrapByok(parseByokFile(fixture('rsa-2048.byok')), testKek());
    expect(key.bits).toBe(2048);
    expect(key.fingerprint).toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
    expect(key.privateKeyPkcs8.equals(fixture('rsa-2048.key.der'))).toBe(true);
  });

  it('refuses an RSA 1024 target with key_too_small', async () => {
    expectRefusal(await rejectionOf(unwrapByok(parseByokFile(fixture('rsa-1024.byok')), testKek())), 'key_too_small');
  });

  it('refuses an EC target with key_type_unsupported', async () => {
    expectRefusal(await rejectionOf(unwrapByok(parseByokFile(fixture('ec-p256.byok')), testKek())), 'key_type_unsupported');
  });

  it('refuses a corrupted file with byok_unwrap_failed, pointing at `dualkey key kek`', async () => {
    const err = expectRefusal(await rejectionOf(unwrapByok(parseByokFile(fixture('rsa-2048-corrupted.byok')), testKek())), 'byok_unwrap_failed');
    expect(err.message).toContain('dualkey key kek');
  });

  it('refuses a file made for another KEK with byok_unwrap_failed', async () => {
    const other = kekFrom(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey);
    expectRefusal(await rejectionOf(unwrapByok(parseByokFile(fixture('rsa-2048.byok')), other)), 'byok_unwrap_failed');
  });

  it('refuses with byok_unwrap_failed when the vault decrypt throws', async () => {
    const kek = { ...testKek(), decrypt: async (): Promise<Buffer> => { throw new Error('vault: OAEP decoding error'); } };
    expectRefusal(await rejectionOf(unwrapByok(parseByokFile(fixture('rsa-2048.byok')), kek)), 'byok_unwrap_failed');
  });

  it('refuses a ciphertext shorter than the KEK modulus without calling the vault', async () => {
    const kek = testKek();
    const envelope = { ...parseByokFile(fixture('rsa-2048.byok')), ciphertext: Buffer.alloc(100) };
    expectRefusal(await rejectionOf(unwrapByok(envelope, kek)), 'byok_unwrap_failed');
    expect(kek.calls).toBe(0);
  });
});
