/** Key Vault object names: 1–127 characters of letters, digits and dashes. */
const NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * The Key Vault key name of a vault key id. dualkey's ids (`prot-<uuid>…`, `kek-<uuid>`) are valid names
 * already; anything else is a bug, refused rather than silently mapped (two ids must never share a key).
 */
export function keyVaultName(keyId: string): string {
  if (!NAME.test(keyId)) throw new Error(`vault key id ${JSON.stringify(keyId)} is not a valid Azure Key Vault key name (letters, digits and dashes, at most 127)`);
  return keyId;
}
