import { createHmac, hkdfSync } from 'node:crypto';

const INFO = 'dualkey audit chain v1';

/**
 * The local vault's audit tag (Vault.auditTag): HMAC-SHA256 under a key derived with HKDF-SHA256 from the
 * master key (info `dualkey audit chain v1`), so it never exists in the database and every process holding
 * the master key computes the same tag.
 */
export function localAuditTagger(masterKey: Buffer): (data: Buffer) => Buffer {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), INFO, 32));
  return (data) => createHmac('sha256', key).update(data).digest();
}
