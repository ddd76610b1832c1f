import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { EngineDeps } from '../engine-deps.js';

const LABEL = 'dualkey offline-hook seal v1';
// The full 128-bit tag, required on opening too: GCM would otherwise verify a tag a database writer truncated.
const GCM = { authTagLength: 16 } as const;

/** An offline hook's HMAC key as stored: AES-256-GCM ciphertext, nonce and tag. */
export interface SealedHookSecret {
  secretCiphertext: Buffer;
  secretNonce: Buffer;
  secretTag: Buffer;
}

/**
 * The sealing key is a keyed tag the vault computes (it never exists in the database, and no instance
 * DEK is involved, so a hook of a locked instance can still be signed for `instance.unlocked` and for
 * retries after the keys are gone); the label keeps it apart from every audit tag.
 */
async function sealingKey(deps: Pick<EngineDeps, 'vault'>, instanceId: string): Promise<Buffer> {
  return deps.vault.auditTag(Buffer.from(`${LABEL}\u0000${instanceId}`));
}

/** AAD binds the instance and the URL: a database writer cannot move a secret to another receiver. */
const aad = (instanceId: string, url: string) => Buffer.from(`${LABEL}\u0000${instanceId}\u0000${url}`);

/** Seals an offline hook's HMAC key for storage. */
export async function sealHookSecret(deps: Pick<EngineDeps, 'vault' | 'random'>, instanceId: string, url: string, secret: Buffer): Promise<SealedHookSecret> {
  const key = await sealingKey(deps, instanceId);
  const nonce = deps.random.bytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, GCM).setAAD(aad(instanceId, url));
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  key.fill(0);
  return { secretCiphertext: ciphertext, secretNonce: nonce, secretTag: cipher.getAuthTag() };
}

/** Opens a sealed HMAC key; throws when the row was altered (other instance, other URL, other bytes). */
export async function openHookSecret(deps: Pick<EngineDeps, 'vault'>, instanceId: string, url: string, sealed: SealedHookSecret): Promise<Buffer> {
  const key = await sealingKey(deps, instanceId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.secretNonce, GCM).setAAD(aad(instanceId, url));
    decipher.setAuthTag(sealed.secretTag);
    return Buffer.concat([decipher.update(sealed.secretCiphertext), decipher.final()]);
  } finally {
    key.fill(0);
  }
}
