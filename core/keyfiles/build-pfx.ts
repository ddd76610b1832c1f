import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { der } from './asn1-build.js';
import { OID } from './oids.js';
import { bmpPassword, pkcs12Kdf } from './pkcs12-kdf.js';

/**
 * Work factors of the PFX we write. PBKDF2-HMAC-SHA256 costs an attacker two SHA-256 compressions
 * per iteration, the PKCS#12 MAC KDF one; the MAC is a password oracle too, so it gets twice the
 * iterations and both paths cost 100 000 compressions per guess: ~50× what OpenSSL's default 2048
 * gives, with the MAC never the weak link. Higher would cost every parse: the MAC KDF runs at
 * ≈0.7 µs per iteration in node (≈70 ms here), PBKDF2 natively (≈12 ms). Total 150 000 stays well
 * inside our own caps and .NET's default PFX load limit (600 000 iterations per file).
 */
export const PFX_PBKDF2_ITERATIONS = 50_000;
export const PFX_MAC_ITERATIONS = 2 * PFX_PBKDF2_ITERATIONS;

/**
 * Writes a PKCS#12 file OpenSSL 3 reads without `-legacy`: the key in a pkcs8ShroudedKeyBag under
 * PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), the certificate in a plain safe (it is public, and a
 * second PBKDF2 would only slow every parse), a SHA-256 MAC over the whole.
 */
export function buildPfx(opts: { certificateDer: Buffer; privateKeyPkcs8: Buffer; password: string; friendlyName: string }): Buffer {
  // localKeyId = SHA-1 of the certificate, as OpenSSL writes it, pairs the key with its certificate.
  const attributes = der.set(
    der.seq(der.oid(OID.localKeyId), der.set(der.octets(createHash('sha1').update(opts.certificateDer).digest()))),
    der.seq(der.oid(OID.friendlyName), der.set(der.bmp(opts.friendlyName))),
  );
  const certBag = der.seq(der.oid(OID.certBag),
    der.explicit0(der.seq(der.oid(OID.x509Certificate), der.explicit0(der.octets(opts.certificateDer)))), attributes);
  const keyBag = der.seq(der.oid(OID.pkcs8ShroudedKeyBag),
    der.explicit0(encryptPrivateKeyInfo(opts.privateKeyPkcs8, opts.password)), attributes);
  const authSafe = der.encode(der.seq(dataContentInfo(der.seq(certBag)), dataContentInfo(der.seq(keyBag))));
  return der.encode(der.seq(der.int(3), dataContentInfoOf(authSafe), macData(authSafe, opts.password)));
}

function encryptPrivateKeyInfo(pkcs8: Buffer, password: string): ReturnType<typeof der.seq> {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, PFX_PBKDF2_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  key.fill(0);
  const pbes2Params = der.seq(
    der.seq(der.oid(OID.pbkdf2), der.seq(der.octets(salt), der.int(PFX_PBKDF2_ITERATIONS), der.seq(der.oid(OID.hmacWithSha256), der.nul()))),
    der.seq(der.oid(OID.aes256Cbc), der.octets(iv)),
  );
  return der.seq(der.seq(der.oid(OID.pbes2), pbes2Params), der.octets(encrypted));
}

function macData(authSafe: Buffer, password: string): ReturnType<typeof der.seq> {
  const salt = randomBytes(16);
  const bmp = bmpPassword(password);
  const key = pkcs12Kdf('sha256', bmp, salt, 3, PFX_MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', key).update(authSafe).digest();
  key.fill(0);
  bmp.fill(0);
  return der.seq(der.seq(der.seq(der.oid(OID.sha256), der.nul()), der.octets(mac)), der.octets(salt), der.int(PFX_MAC_ITERATIONS));
}

function dataContentInfo(safeContents: ReturnType<typeof der.seq>): ReturnType<typeof der.seq> {
  return dataContentInfoOf(der.encode(safeContents));
}

function dataContentInfoOf(content: Buffer): ReturnType<typeof der.seq> {
  return der.seq(der.oid(OID.data), der.explicit0(der.octets(content)));
}
