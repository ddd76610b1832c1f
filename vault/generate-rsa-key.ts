import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A fresh RSA key pair: public key as SPKI DER, private key as PKCS#8 DER (the caller zeroes it). */
export async function generateRsaKey(modulusLength: number): Promise<{ publicKeyDer: Buffer; privateKeyDer: Buffer }> {
  // Async so that a 3072-bit generation (up to seconds) does not block the event loop.
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return { publicKeyDer: publicKey, privateKeyDer: privateKey };
}
