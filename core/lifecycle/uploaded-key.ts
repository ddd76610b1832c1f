import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { byokUnwrapFailed, parseByokFile } from '../keyfiles/byok.js';
import { describePublicKey } from '../keyfiles/describe-public-key.js';
import { parsePfx } from '../keyfiles/parse-pfx.js';
import type { ParsedKey } from '../keyfiles/parsed-key.js';
import { detectKeyFileFormat } from '../keyfiles/read-key-file.js';
import { newId } from '../ids.js';
import type { Tenant } from '../model/tenant.js';
import { VaultByokRejectedError } from '../ports/vault.js';
import { beginImport, compensateImport } from './journal-steps.js';

/** A key file as uploaded: bytes plus the password typed with it (PFX only). */
export interface KeyFileUpload {
  file: Buffer;
  password?: string | undefined;
}

/**
 * An upload read as far as the process may read it: a PFX is parsed here (its password is needed), a
 * BYOK file only to its envelope, because the wrapped key may be unwrapped only inside the key store.
 */
export type PreparedUpload =
  | { kind: 'pfx'; fingerprint: string; key: ParsedKey }
  | { kind: 'byok'; fingerprint: null; kekId: string; ciphertext: Buffer };

/** The key as the vault holds it after the import. */
export interface ImportedKey {
  kind: 'pfx' | 'byok';
  fingerprint: string;
  publicKeySpki: Buffer;
}

/** Reads an upload (DESIGN §3): PFX rules, or the BYOK envelope and its KEK id (`byok_kek_mismatch`). The transport zeroes the upload. */
export function prepareUpload(tenant: Tenant, upload: KeyFileUpload): PreparedUpload {
  if (detectKeyFileFormat(upload.file) === 'pfx') {
    const key = parsePfx(upload.file, upload.password);
    return { kind: 'pfx', fingerprint: key.fingerprint, key };
  }
  const envelope = parseByokFile(upload.file);
  const kekId = tenant.kekVaultKeyId;
  if (!kekId || !tenant.kekPublicKey || envelope.kid !== kekId) {
    throw new DomainError(
      'byok_kek_mismatch',
      kekId
        ? `The BYOK file was made for key-exchange key "${envelope.kid}", but this tenant's KEK is "${kekId}". Download the KEK with "dualkey key kek" and export the key from your HSM again.`
        : `This tenant has no key-exchange key yet. Run "dualkey key kek" to create one, then export the key from your HSM for it.`,
      { kid: envelope.kid, expectedKid: kekId ?? null },
    );
  }
  return { kind: 'byok', fingerprint: null, kekId, ciphertext: envelope.ciphertext };
}

/**
 * Puts a prepared upload into the vault under `keyId` (the caller journaled the import). A BYOK key is
 * unwrapped inside the store and checked on the public key it returns; a refused key is destroyed at once.
 */
export async function importPrepared(deps: EngineDeps, keyId: string, prepared: PreparedUpload): Promise<ImportedKey> {
  if (prepared.kind === 'pfx') {
    try {
      await deps.vault.importKey(keyId, prepared.key.privateKeyPkcs8);
    } finally {
      prepared.key.privateKeyPkcs8.fill(0);
    }
    return { kind: 'pfx', fingerprint: prepared.key.fingerprint, publicKeySpki: prepared.key.publicKeySpki };
  }
  let spki: Buffer;
  try {
    spki = await deps.vault.importByok(prepared.kekId, keyId, prepared.ciphertext);
  } catch (e) {
    if (e instanceof VaultByokRejectedError) throw byokUnwrapFailed();
    throw e;
  }
  try {
    const described = describePublicKey(spki);
    return { kind: 'byok', fingerprint: described.fingerprint, publicKeySpki: described.publicKeySpki };
  } catch (e) {
    await deps.vault.destroy(keyId);
    throw e;
  }
}

/** What an inspection of an uploaded key file found. */
export interface InspectedKey {
  kind: 'pfx' | 'byok';
  bits: number;
  fingerprint: string;
}

/**
 * Reads an uploaded key for checks that keep nothing (lock, `keyfile inspect`). A BYOK key can only be
 * read inside the key store, so it is imported under a journaled throwaway id and destroyed again.
 */
export async function inspectUpload(deps: EngineDeps, tenant: Tenant, instanceId: string | null, upload: KeyFileUpload): Promise<InspectedKey> {
  const prepared = prepareUpload(tenant, upload);
  if (prepared.kind === 'pfx') {
    prepared.key.privateKeyPkcs8.fill(0);
    return { kind: 'pfx', bits: prepared.key.bits, fingerprint: prepared.fingerprint };
  }
  const keyId = `check-${newId(deps.random)}`;
  const journal = await beginImport(deps, 'key_check', instanceId, [keyId]);
  try {
    const imported = await importPrepared(deps, keyId, prepared);
    return { kind: 'byok', bits: describePublicKey(imported.publicKeySpki).bits, fingerprint: imported.fingerprint };
  } finally {
    await compensateImport(deps, journal).catch((err: unknown) => deps.logger.error('journal: compensation deferred to recovery', { journal: journal.id, error: String(err) }));
  }
}
