import { mkdtempSync, rmSync } from 'node:fs';
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
  statements: { run: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) },
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

  it('does not open the local vault while its database is down (it must check which key directory is the vault)', async () => {
    await expect(createVault({ kind: 'local', database: unreachable, dataDir, now })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses DUALKEY_VAULT=pkcs11 without its token settings, naming them', async () => {
    await expect(createVault({ kind: 'pkcs11', database: unreachable, dataDir, now })).rejects.toThrow(/PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN_FILE/);
  });

  it('refuses a master key of the wrong size', async () => {
    await expect(LocalVault.open({ database: unreachable, masterKey: Buffer.alloc(16), keyDir: join(dataDir, 'keys'), now })).rejects.toThrow(/32-byte/);
  });
});
