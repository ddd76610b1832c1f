import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/database.js';
import { createVault } from '../../../vault/create-vault.js';
import { LocalVault } from '../../../vault/local-vault.js';

/** A database that is down: every transaction fails. */
const unreachable: Database = {
  kind: 'postgres',
  transaction: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
  close: () => Promise.resolve(),
};
const now = () => new Date('2030-01-01T00:00:00Z');

describe('createVault', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'dualkey-create-vault-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds the local vault with a master key generated in the data directory', () => {
    const vault = createVault({ kind: 'local', database: unreachable, dataDir, now });
    expect(vault).toBeInstanceOf(LocalVault);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(true);
  });

  it('refuses the Azure Key Vault adapter until it exists, saying how to run instead', () => {
    expect(() => createVault({ kind: 'azure', database: unreachable, dataDir, now })).toThrow(
      'The Azure Key Vault adapter is not available yet; set DUALKEY_VAULT=local',
    );
  });

  it('makes the local vault report not ready when its database is down', async () => {
    const vault = createVault({ kind: 'local', database: unreachable, dataDir, now });
    expect(await vault.ping()).toBe(false);
  });

  it('refuses a master key of the wrong size', () => {
    expect(() => new LocalVault({ database: unreachable, masterKey: Buffer.alloc(16), now })).toThrow(/32-byte/);
  });
});
