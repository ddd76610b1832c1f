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

/** The same vault, running `action` once just before its next `unwrapDek` (another process's commit landing mid-call). */
export function beforeNextUnwrap(vault: Vault, action: () => Promise<unknown>): Vault {
  let pending: (() => Promise<unknown>) | null = action;
  return new Proxy(vault, {
    get(target, prop, receiver) {
      if (prop === 'unwrapDek') {
        return async (keyId: string, wrapped: Buffer) => {
          const run = pending;
          pending = null;
          if (run) await run();
          return target.unwrapDek(keyId, wrapped);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Vault;
}
