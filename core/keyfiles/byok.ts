import { createDecipheriv, createPublicKey } from 'node:crypto';
import { DomainError } from '../errors.js';
import { describePrivateKey } from './describe-private-key.js';
import { assertKeyFileSize } from './key-file-size.js';
import type { ParsedKey } from './parsed-key.js';

/** A parsed `.byok` file (Azure Key Vault BYOK format): which KEK it was made for and the wrapped key. */
export interface ByokEnvelope {
  kid: string;
  ciphertext: Buffer;
  generator: string | null;
}

/** The tenant's key-exchange key as the unwrap needs it; `decrypt` is RSA-OAEP (SHA-1, MGF1-SHA-1), run by the vault. */
export interface ByokKek {
  publicKeySpki: Buffer;
  decrypt(rsaPart: Buffer): Promise<Buffer>;
}

const EXPECTED = 'a BYOK file as JSON {"schema_version":"1.0.0","header":{"kid":"<KEK id>","alg":"dir","enc":"CKM_RSA_AES_KEY_WRAP"},"ciphertext":"<base64url>","generator":"..."}';
const MAX_KID_LENGTH = 1024;
/** RFC 5649 alternative IV: the AIV prefix for AES key wrap with padding. */
const KWP_IV = Buffer.from('A65959A6', 'hex');

/** Parses and checks the shape of a `.byok` file (DESIGN §3); anything else is `keyfile_malformed`. */
export function parseByokFile(bytes: Buffer): ByokEnvelope {
  assertKeyFileSize(bytes);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw byokMalformed('it is not valid JSON');
  }
  if (!isObject(json)) throw byokMalformed('it is not a JSON object');
  if (json.schema_version !== '1.0.0') throw byokMalformed('schema_version is not "1.0.0"');
  const header = json.header;
  if (!isObject(header)) throw byokMalformed('it has no header object');
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > MAX_KID_LENGTH) {
    throw byokMalformed('header.kid is not the id of a key-exchange key');
  }
  if (header.alg !== 'dir') throw byokMalformed('header.alg is not "dir"');
  if (header.enc !== 'CKM_RSA_AES_KEY_WRAP') throw byokMalformed('header.enc is not "CKM_RSA_AES_KEY_WRAP"');
  if (typeof json.ciphertext !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(json.ciphertext)) {
    throw byokMalformed('ciphertext is not base64url text');
  }
  if (json.generator !== undefined && json.generator !== null && typeof json.generator !== 'string') {
    throw byokMalformed('generator is not a string');
  }
  return { kid: header.kid, ciphertext: Buffer.from(json.ciphertext, 'base64url'), generator: typeof json.generator === 'string' ? json.generator : null };
}

/**
 * Undoes CKM_RSA_AES_KEY_WRAP: RSA-OAEP-SHA1 ciphertext of an ephemeral AES-256 key under the KEK
 * (KEK-modulus bytes long), then the PKCS#8 target key under AES key wrap with padding (RFC 5649).
 * The caller has already compared `envelope.kid` with the tenant's KEK id (`byok_kek_mismatch`).
 */
export async function unwrapByok(envelope: ByokEnvelope, kek: ByokKek): Promise<ParsedKey> {
  const rsaBytes = kekModulusBytes(kek.publicKeySpki);
  // The AES-KWP part is at least 16 bytes (one semiblock of AIV + one of padded key).
  if (envelope.ciphertext.length < rsaBytes + 16) throw unwrapFailed();
  let aesKey: Buffer;
  try {
    aesKey = await kek.decrypt(envelope.ciphertext.subarray(0, rsaBytes));
  } catch {
    throw unwrapFailed();
  }
  let pkcs8: Buffer;
  try {
    if (aesKey.length !== 32) throw unwrapFailed();
    const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
    pkcs8 = Buffer.concat([decipher.update(envelope.ciphertext.subarray(rsaBytes)), decipher.final()]);
  } catch {
    throw unwrapFailed();
  } finally {
    aesKey.fill(0);
  }
  try {
    return describePrivateKey(pkcs8);
  } finally {
    pkcs8.fill(0);
  }
}

function kekModulusBytes(spki: Buffer): number {
  // The KEK is our own vault key, so a bad one is a bug, not a refusal: let it throw raw.
  const bits = createPublicKey({ key: spki, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new Error('BYOK key-exchange key is not an RSA public key');
  return Math.ceil(bits / 8);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byokMalformed(reason: string): DomainError {
  return new DomainError('keyfile_malformed', `The file is not a readable BYOK file: ${reason}. Expected ${EXPECTED}.`);
}

function unwrapFailed(): DomainError {
  return new DomainError('byok_unwrap_failed',
    "The BYOK file could not be unwrapped: it was not made for this tenant's key-exchange key (KEK), or it is damaged. Download the KEK again with `dualkey key kek` and export the key anew.");
}
