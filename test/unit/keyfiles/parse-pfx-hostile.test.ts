import { createHash, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../../core/errors.js';
import { parsePfx } from '../../../core/keyfiles/parse-pfx.js';
import { countIntegers, patchInteger } from './der-patch.js';
import { expectedFingerprint, expectRefusal, fixture, PASSWORD, thrownBy } from './support.js';

const INT32_MAX = 2 ** 31 - 1;

/** Refused with keyfile_malformed, in under a second (no KDF ran on the hostile count). */
function expectFastMalformed(bytes: Buffer, password: string | undefined = PASSWORD): DomainError {
  const started = performance.now();
  const err = thrownBy(() => parsePfx(bytes, password));
  expect(performance.now() - started).toBeLessThan(1000);
  return expectRefusal(err, 'keyfile_malformed');
}

/** Deterministic pseudo-random bytes (SHA-256 in counter mode). */
function noise(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${seed}/${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

describe('parsePfx: hostile input is refused fast with keyfile_malformed', () => {
  it('refuses a file over 64 KiB, saying so, before parsing it', () => {
    const big = Buffer.concat([fixture('rsa-2048.pfx'), Buffer.alloc(64 * 1024)]);
    const err = thrownBy(() => parsePfx(big, PASSWORD));
    expect(expectRefusal(err, 'keyfile_malformed').message).toContain('64 KiB');
  });

  it('refuses an empty file', () => {
    expectFastMalformed(Buffer.alloc(0));
  });

  for (const [file, sites] of [['rsa-2048.pfx', 3], ['rsa-2048-legacy.pfx', 3]] as const) {
    it(`refuses ${file} with any iteration count (PBKDF2, PKCS#12 PBE, MAC) patched to 2^31-1 in under 1 s`, () => {
      const original = fixture(file);
      expect(countIntegers(original, 2048)).toBe(sites); // cert safe, key bag, MAC
      for (let site = 0; site < sites; site++) {
        expect(expectFastMalformed(patchInteger(original, 2048, INT32_MAX, site)).details).toEqual({ iterations: INT32_MAX, maxIterations: 600_000 });
      }
    });
  }

  it('refuses the MAC iteration count patched to 2^31-1 even without a password', () => {
    expect(expectFastMalformed(patchInteger(fixture('rsa-2048.pfx'), 2048, INT32_MAX, 2), undefined).message).toMatch(/MAC asks for 2147483647/);
  });

  it('refuses a count just above the 600 000 cap, and counts that only together exceed the budget', () => {
    const original = fixture('rsa-2048.pfx');
    expect(expectFastMalformed(patchInteger(original, 2048, 600_001, 1)).details.iterations).toBe(600_001);
    expect(expectFastMalformed(patchInteger(original, 2048, 600_000, 'all')).message).toMatch(/together ask for more than 600,000/);
  });

  it('refuses a count above 32 bits and a zero count', () => {
    const original = fixture('rsa-2048.pfx');
    expect(expectFastMalformed(patchInteger(original, 2048, 2 ** 40, 2)).message).toMatch(/iteration count/);
    expect(expectFastMalformed(patchInteger(original, 2048, 0, 1)).details.iterations).toBe(0);
  });

  it('refuses the file truncated at several points', () => {
    const original = fixture('rsa-2048.pfx');
    for (const length of [1, 2, 4, 50, 1000, original.length >> 1, original.length - 40, original.length - 1]) {
      expectFastMalformed(original.subarray(0, length));
    }
  });

  it('refuses the file with trailing garbage', () => {
    expectFastMalformed(Buffer.concat([fixture('rsa-2048.pfx'), Buffer.from([0, 0, 1])]));
  });

  it('refuses random bytes, with and without a DER-looking first byte', () => {
    for (let i = 0; i < 20; i++) {
      const bytes = noise(`random-${i}`, 100 + i * 300);
      expectFastMalformed(bytes);
      expectFastMalformed(Buffer.concat([Buffer.from([0x30, 0x82, (bytes.length >> 8) & 0xff, bytes.length & 0xff]), bytes]));
    }
  });

  it('refuses DER with absurd lengths', () => {
    expectFastMalformed(Buffer.from('3084ffffffff020103', 'hex'));
    expectFastMalformed(Buffer.from('3088ffffffffffffffff020103', 'hex'));
    expectFastMalformed(Buffer.from('30ff', 'hex'));
  });

  it('refuses deeply nested DER (definite and indefinite lengths)', () => {
    let nested = Buffer.from('020103', 'hex');
    for (let depth = 0; depth < 5000; depth++) {
      const len = nested.length;
      const header = len < 0x80 ? [0x30, len] : len < 0x100 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
      nested = Buffer.concat([Buffer.from(header), nested]);
    }
    expectFastMalformed(nested);
    expectFastMalformed(Buffer.concat([Buffer.alloc(30_000, Buffer.from('3080', 'hex')), Buffer.alloc(30_000)]));
  });

  it('refuses non-PFX DER (an SPKI public key)', () => {
    expectFastMalformed(fixture('rsa-2048.pub.der'));
  });
});

/** Builds a PFX with forge from PKCS#8 keys: one shrouded (PBES2/AES-256) bag per key, SHA-1 MAC. */
function forgePfx(keysPem: string[], password: string): Buffer {
  const { asn1, pki } = forge;
  const seq = (...v: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
  const oid = (o: string): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
  const octets = (b: string): forge.asn1.Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b);
  const ctx0 = (v: forge.asn1.Asn1): forge.asn1.Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [v]);
  const bags = keysPem.map((pem) => {
    const info = pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(pki.privateKeyFromPem(pem)));
    const encrypted = pki.encryptPrivateKeyInfo(info, password, { algorithm: 'aes256', count: 2048 });
    return seq(oid(pki.oids.pkcs8ShroudedKeyBag as string), ctx0(encrypted));
  });
  const safe = seq(oid(pki.oids.data as string), ctx0(octets(asn1.toDer(seq(...bags)).getBytes())));
  const authSafe = asn1.toDer(seq(safe)).getBytes();
  const salt = forge.util.createBuffer('saltsalt');
  const macKey = forge.pkcs12.generateKey(password, salt, 3, 2048, 20, forge.md.sha1.create());
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(authSafe);
  const macData = seq(seq(seq(oid(pki.oids.sha1 as string), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')), octets(hmac.digest().getBytes())),
    octets('saltsalt'), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2048).getBytes()));
  const pfx = seq(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    seq(oid(pki.oids.data as string), ctx0(octets(authSafe))), macData);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

describe('parsePfx: key count', () => {
  const first = fixture('rsa-2048.key.pem').toString();

  it('reads a PFX built by forge (an independent writer) holding one key', () => {
    const key = parsePfx(forgePfx([first], PASSWORD), PASSWORD);
    expect(key.fingerprint).toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
  });

  it('refuses a PFX holding two private keys with keyfile_malformed, saying how many', () => {
    const second = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const err = expectRefusal(thrownBy(() => parsePfx(forgePfx([first, second], PASSWORD), PASSWORD)), 'keyfile_malformed');
    expect(err.message).toContain('contains 2 private keys; export exactly one');
  });
});
