import { generateKeyPairSync } from 'node:crypto';
import { DomainError } from '../errors.js';
import { buildPfx } from './build-pfx.js';
import { describePrivateKey } from './describe-private-key.js';
import type { ParsedKey } from './parsed-key.js';
import { selfSignedCertificate } from './self-signed-certificate.js';

/** Generates an RSA 2048 key and its one-time delivery: a self-signed certificate in a password-protected PFX (DESIGN §3). */
export function generatePfx(opts: { commonName: string; password: string; now: Date; serialNumber: Buffer }): { pfx: Buffer; key: ParsedKey } {
  if (!opts.password) {
    throw new DomainError('pfx_password_required', 'A password is required to protect the generated PFX. Choose one and try again.');
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const exported = privateKey.export({ type: 'pkcs8', format: 'der' });
  const key = describePrivateKey(exported);
  exported.fill(0);
  const certificateDer = selfSignedCertificate({
    commonName: opts.commonName, now: opts.now, serialNumber: opts.serialNumber,
    publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }), privateKey,
  });
  const pfx = buildPfx({ certificateDer, privateKeyPkcs8: key.privateKeyPkcs8, password: opts.password, friendlyName: opts.commonName });
  return { pfx, key };
}
