/**
 * Thrown when a PKCS#11 token cannot do what dualkey needs: the message names the missing mechanism (or
 * mechanism parameter) and what to configure, so an operator can pick another token or module.
 */
export class Pkcs11UnsupportedError extends Error {
  override name = 'Pkcs11UnsupportedError';
  readonly code = 'vault_mechanism_unsupported';

  constructor(readonly mechanism: string, detail: string) {
    super(`The PKCS#11 token does not support ${mechanism}: ${detail}`);
  }
}
