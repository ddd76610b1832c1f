import type { Vault } from '../../core/ports/vault.js';

/** The same vault, reporting every DEK it unwraps to `seen` (observed, not replaced: the real vault does the work). */
export function observeUnwraps(vault: Vault, seen: (dek: Buffer) => void): Vault {
  return new Proxy(vault, {
    get(target, prop, receiver) {
      if (prop === 'unwrapDek') {
        return async (keyId: string, wrapped: Buffer) => {
          const dek = await target.unwrapDek(keyId, wrapped);
          seen(dek);
          return dek;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Vault;
}
