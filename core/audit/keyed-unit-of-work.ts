import type { UnitOfWork } from '../ports/store.js';
import type { Vault } from '../ports/vault.js';
import { deriveAuditKey, type AuditKey } from './audit-key.js';

/** A UnitOfWork whose stores carry the audit key, and the way to get that key for verification. */
export interface KeyedUnitOfWork extends UnitOfWork {
  auditKey(): Promise<AuditKey>;
  /** The vault the key comes from, and the plain UnitOfWork underneath. */
  readonly keyedBy: Vault;
  readonly inner: UnitOfWork;
}

function isKeyed(uow: UnitOfWork): uow is KeyedUnitOfWork {
  return 'keyedBy' in uow && 'inner' in uow;
}

/**
 * Wraps a UnitOfWork so every transaction can tag audit entries. The key is derived from the vault before the
 * transaction opens, once per process; a failed derivation is not remembered (the next run asks again), and
 * a run that appends no audit entry does not need it, so reads keep working while the vault is unreachable.
 */
export function keyedUnitOfWork(uow: UnitOfWork, vault: Vault): KeyedUnitOfWork {
  // An engine built from another engine's deps shares its key (same vault) or re-keys the plain UnitOfWork.
  if (isKeyed(uow)) {
    if (uow.keyedBy === vault) return uow;
    return keyedUnitOfWork(uow.inner, vault);
  }
  let key: Promise<AuditKey> | null = null;
  const auditKey = () => {
    key ??= deriveAuditKey(vault).catch((e: unknown) => {
      key = null;
      throw e;
    });
    return key;
  };
  return {
    keyedBy: vault,
    inner: uow,
    auditKey,
    hot: uow.hot,
    async run(fn) {
      const k = await auditKey().catch(() => undefined);
      return uow.run((store) => fn(k ? { ...store, auditKey: k } : store));
    },
  };
}
