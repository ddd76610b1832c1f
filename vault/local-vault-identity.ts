import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { localVaultIdentity, vaultKeys } from '../db/schema/index.js';
import type { LocalKeyDir } from './local-key-dir.js';

/** A start-up refusal: this process's key directory is not the one the database's keys live in. */
export class LocalVaultElsewhereError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalVaultElsewhereError';
  }
}

const ID_FILE = 'vault-id';

/**
 * Binds the database to one key directory (the local vault is single-host): the first process writes an
 * identity into both; every later process must find the same identity in its own key directory, or it
 * is on another host (or lost its key directory) and is refused with what to do instead.
 */
export async function claimLocalVault(database: Database, keys: LocalKeyDir, now: Date): Promise<string> {
  const local = readIdFile(keys.dir);
  const rows = await database.transaction((tx) => tx.select().from(localVaultIdentity));
  const recorded = rows[0]?.id ?? null;
  if (recorded && recorded !== local) throw elsewhere(keys.dir, recorded, local);
  if (recorded) return recorded;
  const id = local ?? publishIdFile(keys.dir, randomUUID());
  const winner = await database.transaction(async (tx) => {
    await tx.insert(localVaultIdentity).values({ id, createdAt: now }).onConflictDoNothing();
    return (await tx.select().from(localVaultIdentity))[0]?.id ?? null;
  });
  // Two hosts starting first at the same moment: only one key directory can be the vault's.
  if (winner !== id) throw elsewhere(keys.dir, winner ?? 'unknown', id);
  return id;
}

/**
 * Moves sealed keys of an installation from before issue 9 out of the vault_keys table into the key
 * directory (same sealed bytes, nothing lost), then empties the table with TRUNCATE, which gives the
 * table new files and drops the old ones instead of leaving dead tuples behind.
 */
export async function migrateLegacyKeys(database: Database, keys: LocalKeyDir): Promise<number> {
  const rows = await database.transaction((tx) => tx.select().from(vaultKeys));
  for (const r of rows) {
    const stored = keys.writeOnce(r.id, { purpose: r.purpose, publicKey: r.publicKey, nonce: r.nonce, tag: r.tag, ciphertext: r.encryptedPrivateKey, createdAt: r.createdAt.toISOString() });
    if (!stored.publicKey.equals(r.publicKey)) throw new Error(`vault key ${r.id} exists in the key directory with a different key; the migration stopped before changing anything`);
  }
  if (rows.length > 0) await database.transaction((tx) => tx.execute(sql`truncate table vault_keys`));
  return rows.length;
}

function readIdFile(dir: string): string | null {
  try {
    return readFileSync(join(dir, ID_FILE), 'utf8').trim() || null;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
}

/** Writes the id file once (link fails when it exists); a concurrent starter's id wins if it was first. */
function publishIdFile(dir: string, id: string): string {
  const tmp = join(dir, `.idtmp-${id}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${id}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, join(dir, ID_FILE));
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readIdFile(dir) ?? id;
}

function elsewhere(dir: string, recorded: string, local: string | null): LocalVaultElsewhereError {
  return new LocalVaultElsewhereError(
    `The local vault's keys for this database are in key directory ${recorded}, but ${dir} ${local ? `is key directory ${local}` : 'holds none'}. ` +
      'The local vault is single-host: run every dualkey process of this deployment on the host that created it, with the same DUALKEY_DATA_DIR ' +
      '(or DUALKEY_VAULT_KEY_DIR). For several hosts use DUALKEY_VAULT=azure or DUALKEY_VAULT=pkcs11.',
  );
}
