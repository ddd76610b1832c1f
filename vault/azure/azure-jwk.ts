import { createPrivateKey, createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import type { JsonWebKey } from '@azure/keyvault-keys';

/** The SPKI DER public key of a Key Vault RSA key (its JWK `n` and `e`). */
export function spkiOfJwk(key: JsonWebKey | undefined, name: string): Buffer {
  if (!key?.n || !key.e) throw new Error(`Azure Key Vault returned key ${name} without an RSA public key`);
  const jwk: NodeJwk = { kty: 'RSA', n: Buffer.from(key.n).toString('base64url'), e: Buffer.from(key.e).toString('base64url') };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/** The private fields of an RSA JWK, as the byte arrays the SDK imports; `zero()` wipes them after the import. */
export function rsaJwkOfPkcs8(pkcs8Der: Buffer, keyOps: string[]): { jwk: JsonWebKey; zero(): void } {
  const key = createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`only RSA keys can be imported, not ${key.asymmetricKeyType ?? 'unknown'}`);
  // node hands the JWK out as base64url strings (which cannot be wiped); the byte copies sent to the SDK are.
  const exported = key.export({ format: 'jwk' });
  const parts = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
  const bytes = Object.fromEntries(parts.map((p) => [p, Buffer.from(String(exported[p]), 'base64url')])) as Record<(typeof parts)[number], Buffer>;
  return {
    jwk: { kty: 'RSA', keyOps, ...bytes },
    zero: () => Object.values(bytes).forEach((b) => b.fill(0)),
  };
}

/** Does a public key (SPKI DER) equal the one of a Key Vault key? */
export function sameRsaKey(spki: Buffer, key: JsonWebKey | undefined, name: string): boolean {
  return spkiOfJwk(key, name).equals(spki);
}
