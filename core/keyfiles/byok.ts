import { DomainError } from '../errors.js';
import { assertKeyFileSize } from './key-file-size.js';

/** A parsed `.byok` file (Azure Key Vault BYOK format): which KEK it was made for and the wrapped key. */
export interface ByokEnvelope {
  kid: string;
  ciphertext: Buffer;
  generator: string | null;
}

const EXPECTED = 'a BYOK file as JSON {"schema_version":"1.0.0","header":{"kid":"<KEK id>","alg":"dir","enc":"CKM_RSA_AES_KEY_WRAP"},"ciphertext":"<base64url>","generator":"..."}';
const MAX_KID_LENGTH = 1024;

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byokMalformed(reason: string): DomainError {
  return new DomainError('keyfile_malformed', `The file is not a readable BYOK file: ${reason}. Expected ${EXPECTED}.`);
}

/** `byok_unwrap_failed`: the key store could not unwrap the file with the tenant's KEK. */
export function byokUnwrapFailed(): DomainError {
  return new DomainError('byok_unwrap_failed',
    "The BYOK file could not be unwrapped: it was not made for this tenant's key-exchange key (KEK), or it is damaged. Download the KEK again with `dualkey key kek` and export the key anew.");
}
