import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { byokUnwrapFailed, parseByokFile } from '../../../core/keyfiles/byok.js';
import { describePublicKey } from '../../../core/keyfiles/describe-public-key.js';
import { unwrapByokInProcess } from '../../../vault/unwrap-byok.js';
import { expectedFingerprint, expectRefusal, fixture, thrownBy } from './support.js';

const testKek = (): KeyObject => createPrivateKey(fixture('kek-test.key.pem'));

/** What the key store does with a BYOK file, then the rules core applies to the public key it returns. */
function importAndDescribe(ciphertext: Buffer, kek: KeyObject = testKek()): { pkcs8: Buffer; described: ReturnType<typeof describePublicKey> } {
  const pkcs8 = unwrapByokInProcess(kek, ciphertext);
  if (!pkcs8) throw byokUnwrapFailed();
  return { pkcs8, described: describePublicKey(createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' })) };
}

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

describe('BYOK unwrap in the local key store + the public-key rules (CKM_RSA_AES_KEY_WRAP made by the openssl CLI)', () => {
  const ct = (name: string) => parseByokFile(fixture(name)).ciphertext;

  it('unwraps the RSA 2048 target to the same key as rsa-2048.pfx', () => {
    const { pkcs8, described } = importAndDescribe(ct('rsa-2048.byok'));
    expect(described.bits).toBe(2048);
    expect(described.fingerprint).toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
    expect(pkcs8.equals(fixture('rsa-2048.key.der'))).toBe(true);
  });

  it('refuses an RSA 1024 target with key_too_small', () => {
    expectRefusal(thrownBy(() => importAndDescribe(ct('rsa-1024.byok'))), 'key_too_small');
  });

  it('refuses an EC target with key_type_unsupported', () => {
    expectRefusal(thrownBy(() => importAndDescribe(ct('ec-p256.byok'))), 'key_type_unsupported');
  });

  it('refuses a corrupted file with byok_unwrap_failed, pointing at `dualkey key kek`', () => {
    const err = expectRefusal(thrownBy(() => importAndDescribe(ct('rsa-2048-corrupted.byok'))), 'byok_unwrap_failed');
    expect(err.message).toContain('dualkey key kek');
  });

  it('refuses a file made for another KEK with byok_unwrap_failed', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
    expectRefusal(thrownBy(() => importAndDescribe(ct('rsa-2048.byok'), other)), 'byok_unwrap_failed');
  });

  it('refuses a ciphertext shorter than the KEK modulus', () => {
    expect(unwrapByokInProcess(testKek(), Buffer.alloc(100))).toBeNull();
  });
});
