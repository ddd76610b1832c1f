import { decryptRecord, encryptRecord } from '../crypto/envelope.js';
import type { DbKey } from '../model/db-key.js';
import type { Random } from '../ports/random.js';

/** Bytes of every database key dualkey creates (AES-256; the plugin accepts 16, 24 or 32). */
export const DB_KEY_BYTES = 32;

/** The AAD of a database key: binds tenant, instance, key id, key version and DEK version, unambiguously encoded. */
export function dbKeyAad(tenantId: string, instanceId: string, keyId: number, version: number, dekVersion: number): Buffer {
  return Buffer.from(JSON.stringify(['dualkey-db-key-v1', tenantId, instanceId, keyId, version, dekVersion]), 'utf8');
}

/** Seals fresh key material under a DEK (AES-256-GCM, as records). */
export function sealDbKey(
  dek: { version: number; key: Buffer },
  at: { tenantId: string; instanceId: string; keyId: number; version: number; createdAt: Date },
  material: Buffer,
  random: Random,
): DbKey {
  const sealed = encryptRecord(dek.key, dbKeyAad(at.tenantId, at.instanceId, at.keyId, at.version, dek.version), material, random);
  return { instanceId: at.instanceId, keyId: at.keyId, version: at.version, ...sealed, dekVersion: dek.version, createdAt: at.createdAt };
}

/** Opens a sealed database key; throws when anything (ciphertext, tag, binding) was altered. */
export function openDbKey(tenantId: string, row: DbKey, dek: Buffer): Buffer {
  return decryptRecord(dek, dbKeyAad(tenantId, row.instanceId, row.keyId, row.version, row.dekVersion), row);
}
