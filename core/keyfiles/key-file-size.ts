import { DomainError } from '../errors.js';
import { MAX_KEYFILE_BYTES, MAX_KEYFILE_LABEL } from './limits.js';

/** Refuses empty and oversized key files (`keyfile_malformed`) before anything parses them. */
export function assertKeyFileSize(bytes: Buffer): void {
  if (bytes.length === 0) {
    throw new DomainError('keyfile_malformed', 'The key file is empty. Upload the .pfx/.p12 or .byok file itself.');
  }
  if (bytes.length > MAX_KEYFILE_BYTES) {
    const kib = Math.ceil(bytes.length / 1024);
    throw new DomainError('keyfile_malformed',
      `The file is ${kib} KiB; key files are limited to ${MAX_KEYFILE_LABEL}. A PFX or BYOK file holding one RSA key is a few KiB: upload just that key file.`,
      { bytes: bytes.length, maxBytes: MAX_KEYFILE_BYTES });
  }
}
