import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vault } from '../../core/ports/vault.js';
import { LocalVault } from '../../vault/local-vault.js';
import { createTestDatabase } from './test-database.js';

/** One adapter under the contract suite, opened on private state; `reopen` is a second process of the same deployment. */
export interface OpenedVault {
  vault: Vault;
  reopen(): Promise<Vault>;
  /** What `destroy` reports on this store. */
  destroyOutcome: 'destroyed' | 'deleted';
  /** Set when the store cannot unwrap DEKs (a token without RSA-OAEP-SHA256): what every unwrapDek of a stored key throws. */
  dekUnwrapRefused?: RegExp;
  dispose(): Promise<void>;
}

/** A named way to open an adapter. */
export interface VaultAdapter {
  name: string;
  open(): Promise<OpenedVault>;
}

/** The embedded local vault on a private test database and key directory. */
export const localAdapter: VaultAdapter = {
  name: 'local',
  async open() {
    const db = await createTestDatabase();
    const keyDir = mkdtempSync(join(tmpdir(), 'dualkey-contract-keys-'));
    const masterKey = randomBytes(32);
    const now = () => new Date('2030-01-02T03:04:05Z');
    const open = () => LocalVault.open({ database: db.database, masterKey, keyDir, now });
    return {
      vault: await open(),
      reopen: open,
      destroyOutcome: 'destroyed',
      dispose: async () => {
        await db.dispose();
        rmSync(keyDir, { recursive: true, force: true });
      },
    };
  },
};
