import { DomainError } from '../errors.js';

/**
 * The refusal when the key store holds an instance's key but will not use it (disabled, expired,
 * access revoked): expected when a customer pulls their key, so a DomainError that says what to do.
 */
export function keyInaccessible(instanceName: string, reason: string): DomainError {
  return new DomainError(
    'key_inaccessible',
    `${instanceName}'s key cannot be used right now: ${reason}. Its data is intact; restore the key or dualkey's access to it in the key store, then retry.`,
    { instance: instanceName },
  );
}
