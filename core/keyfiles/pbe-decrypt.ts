import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { forge } from './forge.js';
import type { PbeScheme } from './pbe-scheme.js';
import { bmpPassword, pkcs12Kdf } from './pkcs12-kdf.js';

/**
 * Decrypts PBE-protected bytes (PBES2 or a PKCS#12 PBE scheme) with native crypto. Returns null
 * when the padding does not check out (wrong password or damaged data) rather than throwing.
 */
export function pbeDecrypt(scheme: PbeScheme, password: string, ciphertext: Buffer): Buffer | null {
  let key: Buffer;
  let iv: Buffer;
  if (scheme.kind === 'pbes2') {
    // PBES2 feeds the password's bytes as typed (UTF-8), as OpenSSL does.
    key = pbkdf2Sync(Buffer.from(password, 'utf8'), scheme.salt, scheme.iterations, scheme.keyLength, scheme.prf);
    iv = scheme.iv;
  } else {
    const bmp = bmpPassword(password);
    key = pkcs12Kdf('sha1', bmp, scheme.salt, 1, scheme.iterations, scheme.keyLength);
    iv = pkcs12Kdf('sha1', bmp, scheme.salt, 2, scheme.iterations, 8);
    bmp.fill(0);
  }
  try {
    return scheme.cipher.startsWith('rc2-') ? rc2Decrypt(scheme.keyLength * 8, key, iv, ciphertext) : nativeDecrypt(scheme.cipher, key, iv, ciphertext);
  } finally {
    key.fill(0);
  }
}

function nativeDecrypt(cipher: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/** RC2 lives only in OpenSSL's legacy provider, which node does not load; forge's RC2 is fine for a few KB. */
function rc2Decrypt(effectiveBits: number, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer | null {
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) return null;
  const cipher = forge().rc2.createDecryptionCipher(key.toString('binary'), effectiveBits);
  cipher.start(iv.toString('binary'));
  cipher.update(forge().util.createBuffer(ciphertext.toString('binary')));
  return cipher.finish() ? Buffer.from(cipher.output.getBytes(), 'binary') : null;
}
