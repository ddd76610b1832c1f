import { createHash } from 'node:crypto';

/** Protector fingerprint of DESIGN §2: `sha256:` + base64url (no padding) of SHA-256(SPKI DER). */
export function fingerprintSpki(spkiDer: Buffer): string {
  return `sha256:${createHash('sha256').update(spkiDer).digest('base64url')}`;
}
