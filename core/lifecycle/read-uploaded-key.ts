import { DomainError } from '../errors.js';
import { parseByokFile, unwrapByok } from '../keyfiles/byok.js';
import { parsePfx } from '../keyfiles/parse-pfx.js';
import type { ParsedKey } from '../keyfiles/parsed-key.js';
import { detectKeyFileFormat } from '../keyfiles/read-key-file.js';
import type { Tenant } from '../model/tenant.js';
import type { Vault } from '../ports/vault.js';

/** A key file as uploaded: bytes plus the password typed with it (PFX only). */
export interface KeyFileUpload {
  file: Buffer;
  password?: string | undefined;
}

/** Reads an uploaded PFX or BYOK file into a validated key; BYOK is unwrapped with the tenant's KEK in the vault. */
export async function readUploadedKey(vault: Vault, tenant: Tenant, upload: KeyFileUpload): Promise<{ kind: 'pfx' | 'byok'; key: ParsedKey }> {
  const format = detectKeyFileFormat(upload.file);
  if (format === 'pfx') return { kind: 'pfx', key: parsePfx(upload.file, upload.password) };
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
  const kekPublicKey = tenant.kekPublicKey;
  const key = await unwrapByok(envelope, { publicKeySpki: kekPublicKey, decrypt: (rsaPart) => vault.decryptWithKek(kekId, rsaPart) });
  return { kind: 'byok', key };
}
