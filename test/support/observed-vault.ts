import type { Vault } from '../../core/ports/vault.js';

type Unwrap = Vault['unwrapDek'];

/** The same vault with `unwrapDek` going through `around` (which calls the real one): every other method untouched. */
function aroundUnwrap(vault: Vault, around: (real: Unwrap, keyId: string, wrapped: Buffer) => Promise<Buffer>): Vault {
  return new Proxy(vault, {
    get(target, prop, receiver) {
      if (prop === 'unwrapDek') return (keyId: string, wrapped: Buffer) => around(target.unwrapDek.bind(target), keyId, wrapped);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Vault;
}

/** The same vault, reporting every DEK it unwraps to `seen` (observed, not replaced: the real vault does the work). */
export function observeUnwraps(vault: Vault, seen: (dek: Buffer) => void): Vault {
  return aroundUnwrap(vault, async (real, keyId, wrapped) => {
    const dek = await real(keyId, wrapped);
    seen(dek);
    return dek;
  });
}

/** The same vault, running `action` once just before its next `unwrapDek` (another process's commit landing mid-call). */
export function beforeNextUnwrap(vault: Vault, action: () => Promise<unknown>): Vault {
  let pending: (() => Promise<unknown>) | null = action;
  return aroundUnwrap(vault, async (real, keyId, wrapped) => {
    const run = pending;
    pending = null;
    if (run) await run();
    return real(keyId, wrapped);
  });
}
