import pkcs11js from 'pkcs11js';
import type { Pkcs11Api } from './pkcs11-module.js';
import { Pkcs11UnsupportedError } from './pkcs11-unsupported-error.js';

/**
 * AES key wrap with padding as RFC 5649 defines it (what Azure's BYOK format uses). Modules disagree on
 * the code: PKCS#11 3.0 names it CKM_AES_KEY_WRAP_KWP (0x210B, NSS softokn 3.87), older modules put it
 * under CKM_AES_KEY_WRAP_PAD (0x210A, SoftHSM2 2.6) — which NSS uses for PKCS#7-padded key wrap instead.
 * So it is configuration (PKCS11_AES_KWP_MECHANISM), defaulting to the PKCS#11 3.0 code.
 */
export const CKM_AES_KEY_WRAP_KWP = 0x210b;

/** Names accepted for PKCS11_AES_KWP_MECHANISM besides a number (decimal or 0x-hex). */
const KWP_NAMES: Record<string, number> = { CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD: pkcs11js.CKM_AES_KEY_WRAP_PAD };

/** Parses PKCS11_AES_KWP_MECHANISM: a mechanism name above, or its code. */
export function parseKwpMechanism(value: string | undefined): number {
  if (!value) return CKM_AES_KEY_WRAP_KWP;
  const named = KWP_NAMES[value.trim().toUpperCase()];
  if (named !== undefined) return named;
  const code = Number(value.trim());
  if (!Number.isInteger(code) || code < 0) {
    throw new Error(`PKCS11_AES_KWP_MECHANISM ${value} is not a mechanism: use CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD or a code such as 0x210B (the one your module implements RFC 5649 under)`);
  }
  return code;
}

/** A mechanism's display name: the standard CKM_ name when it has one, else its hex code. */
export function mechanismName(code: number): string {
  if (code === CKM_AES_KEY_WRAP_KWP) return 'CKM_AES_KEY_WRAP_KWP (0x210B)';
  const name = Object.entries(pkcs11js).find(([k, v]) => k.startsWith('CKM_') && v === code)?.[0];
  return `${name ?? 'vendor mechanism'} (0x${code.toString(16).toUpperCase()})`;
}

/**
 * Refuses a token that lacks a mechanism (or use of it) the adapter calls, naming it: C_GetMechanismList
 * and C_GetMechanismInfo flags. Parameter support (OAEP with SHA-256) is not listed there; the vault probes it.
 */
export function checkMechanisms(api: Pkcs11Api, slot: Buffer, kwp: number): void {
  const needed: [number, number, string][] = [
    [pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN, pkcs11js.CKF_GENERATE_KEY_PAIR, 'C_GenerateKeyPair (protectors and the tenant KEK are generated inside the token)'],
    [pkcs11js.CKM_RSA_PKCS_OAEP, pkcs11js.CKF_DECRYPT, 'C_Decrypt (DEKs are unwrapped with RSA-OAEP-SHA256)'],
    [pkcs11js.CKM_RSA_PKCS_OAEP, pkcs11js.CKF_UNWRAP, 'C_UnwrapKey (BYOK: the AES transport key is unwrapped with the KEK)'],
    [kwp, pkcs11js.CKF_UNWRAP, 'C_UnwrapKey (BYOK: the private key is unwrapped with AES key wrap with padding, RFC 5649; set PKCS11_AES_KWP_MECHANISM to the code your module implements it under)'],
    [pkcs11js.CKM_GENERIC_SECRET_KEY_GEN, pkcs11js.CKF_GENERATE, 'C_GenerateKey (the audit-chain key is generated inside the token)'],
    [pkcs11js.CKM_SHA256_HMAC, pkcs11js.CKF_SIGN, 'C_Sign (audit tags are HMAC-SHA256 inside the token)'],
  ];
  const listed = new Set(api.C_GetMechanismList(slot));
  for (const [mechanism, flag, use] of needed) {
    if (!listed.has(mechanism)) throw new Pkcs11UnsupportedError(mechanismName(mechanism), `it is not in the token's mechanism list, and dualkey needs it for ${use}`);
    const info = api.C_GetMechanismInfo(slot, mechanism);
    if ((info.flags & flag) === 0) throw new Pkcs11UnsupportedError(mechanismName(mechanism), `the token does not allow it for ${use}`);
  }
}
