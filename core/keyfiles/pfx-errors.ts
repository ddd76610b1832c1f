import { DomainError } from '../errors.js';

const ACCEPTED = 'Upload a password-protected .pfx/.p12 file as exported by OpenSSL (`openssl pkcs12 -export`), Windows or your HSM tooling.';

/** A `keyfile_malformed` refusal for a PFX; `reason` is our own fixed text, never file or secret content. */
export function pfxMalformed(reason: string, details: Record<string, string | number | boolean | null> = {}): DomainError {
  return new DomainError('keyfile_malformed', `The file is not a readable PFX (PKCS#12) file: ${reason}. ${ACCEPTED}`, details);
}
