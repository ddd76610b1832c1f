import { readFileSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import type * as P11 from 'pkcs11js';
import type { Pkcs11Api } from './pkcs11-module.js';
import { rsaSpki } from './pkcs11-rsa-der.js';
import * as t from './pkcs11-templates.js';

/** What a private key is for in dualkey: wrapping DEKs, or importing BYOK keys. */
export type Purpose = 'protector' | 'kek';

/** A private key object found in the token: its handle, purpose and public key. */
export interface Found {
  handle: Buffer;
  purpose: Purpose;
  spki: Buffer;
  modulusBytes: number;
  /** For a protector, whether the token lets it decrypt now (CKA_DECRYPT, which an HSM administrator can withdraw); a KEK is one because it may unwrap. */
  permitted: boolean;
}

/** The slot whose token carries the label; the refusal lists the labels there are. */
export function findSlot(api: Pkcs11Api, label: string): Buffer {
  const labels: string[] = [];
  for (const slot of api.C_GetSlotList(true)) {
    const tokenLabel = api.C_GetTokenInfo(slot).label.trim();
    if (tokenLabel === label.trim()) return slot;
    labels.push(JSON.stringify(tokenLabel));
  }
  throw new Error(`no PKCS#11 token labelled ${JSON.stringify(label)} (PKCS11_TOKEN_LABEL); the module has ${labels.join(', ') || 'no token'}`);
}

/** The user PIN from PKCS11_PIN_FILE (one trailing newline ignored). */
export function readPin(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new Error(`PKCS11_PIN_FILE ${file} cannot be read (${(e as { code?: string }).code ?? 'error'}); it holds the token's user PIN`);
  }
}

/** Every object matching a template. */
export function findAll(api: Pkcs11Api, s: Buffer, template: P11.Template): Buffer[] {
  api.C_FindObjectsInit(s, template);
  try {
    const all: Buffer[] = [];
    for (let batch = api.C_FindObjects(s, 64); batch.length > 0; batch = api.C_FindObjects(s, 64)) all.push(...batch);
    return all;
  } finally {
    api.C_FindObjectsFinal(s);
  }
}

/** Reads a private key object's public parts, use, and whether the token still permits that use. */
export function publicOf(api: Pkcs11Api, s: Buffer, handle: Buffer): Found {
  const [modulus, exponent, decrypt, unwrap] = api
    .C_GetAttributeValue(s, handle, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }, { type: pkcs11js.CKA_DECRYPT }, { type: pkcs11js.CKA_UNWRAP }])
    .map((a) => a.value);
  if (!modulus || !exponent) throw new Error('the PKCS#11 token returned a private key without its modulus and exponent');
  // A KEK is the only private key dualkey keeps that may unwrap (restrictUse clears CKA_UNWRAP on protectors). Not told
  // apart by CKA_DECRYPT: an HSM administrator withdrawing a protector's decrypt permission must not turn it into a KEK.
  const purpose: Purpose = unwrap?.[0] ? 'kek' : 'protector';
  return { handle, purpose, spki: rsaSpki(modulus, exponent), modulusBytes: byteLength(modulus), permitted: purpose === 'kek' || Boolean(decrypt?.[0]) };
}

/** Why a protector the token holds cannot decrypt now, for VaultKeyUnusableError and key-access health. */
export const DECRYPT_NOT_PERMITTED = 'the PKCS#11 token does not permit decryption with it (its CKA_DECRYPT attribute is false: the token\'s administrator must set it back to true)';

function byteLength(modulus: Buffer): number {
  let i = 0;
  while (i < modulus.length - 1 && modulus[i] === 0) i += 1;
  return modulus.length - i;
}

/**
 * Makes sure a new private key can do only its job: NSS softokn ignores CKA_UNWRAP=false and CKA_SIGN=false
 * in a C_UnwrapKey template and sets both. Sets what differs, and destroys a key the token will not restrict.
 */
export function restrictUse(api: Pkcs11Api, s: Buffer, handle: Buffer, purpose: Purpose): void {
  const wanted = t.usage(purpose);
  const read = () => api.C_GetAttributeValue(s, handle, wanted.map((a) => ({ type: a.type })));
  const wrong = () => read().filter((a, i) => Boolean(a.value[0]) !== wanted[i]!.value);
  if (wrong().length === 0) return;
  try {
    api.C_SetAttributeValue(s, handle, wanted.filter((a, i) => Boolean(read()[i]!.value[0]) !== a.value));
  } catch {
    // Checked just below.
  }
  if (wrong().length > 0) {
    api.C_DestroyObject(s, handle);
    throw new Error(`the PKCS#11 token will not restrict a new ${purpose} key to ${purpose === 'kek' ? 'unwrapping' : 'decryption'} only; use a token that honours CKA_DECRYPT/CKA_UNWRAP/CKA_SIGN`);
  }
}

/** A CK_ULONG attribute value as pkcs11js returns it (native-endian, 8 bytes on 64-bit Linux). */
export function readUlong(value: Buffer | undefined): number {
  if (!value) return 0;
  return value.length >= 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0);
}

/** Keeps the two kinds of keys apart: a KEK is import-only, and a protector must never act as a KEK. */
export function expectPurpose(keyId: string, key: Found, purpose: Purpose): Found {
  if (key.purpose !== purpose) {
    throw new Error(`vault key ${keyId} is ${key.purpose === 'kek' ? 'a key-exchange key (KEK)' : 'a protector key'} and cannot be used as a ${purpose === 'kek' ? 'KEK' : 'protector'}`);
  }
  return key;
}

/** A retry under a used id must carry the same key: a different one would orphan data wrapped under the first. */
export function expectSame(keyId: string, key: Found, purpose: Purpose, spki: Buffer): void {
  expectPurpose(keyId, key, purpose);
  if (!key.spki.equals(spki)) throw new Error(`vault key ${keyId} already holds a different key; a key id is never reused`);
}

/** The CKR_ name of a pkcs11js error, for messages (never carries data). */
export function codeName(e: unknown): string {
  const code = (e as { code?: number }).code;
  if (typeof code !== 'number') return (e as Error).message ?? 'error';
  return Object.entries(pkcs11js).find(([k, v]) => k.startsWith('CKR_') && v === code)?.[0] ?? `CKR 0x${code.toString(16)}`;
}
