import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../core/engine.js';
import { VaultKeyNotFoundError } from '../../../core/ports/vault.js';
import { cryptoRandom } from '../../../bot/runtime/crypto-random.js';
import { noStepHook } from '../../../core/ports/step-hook.js';
import type { Database } from '../../../db/database.js';
import { pgdataDir } from '../../../db/data-dir-layout.js';
import { openDatabase } from '../../../db/open-database.js';
import { createUnitOfWork } from '../../../db/unit-of-work.js';
import { LocalVault } from '../../../vault/local-vault.js';
import { copyDir } from '../../support/copy-dir.js';
import { createHarness, MemoryLogger, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { adminClient, ident, withDatabase } from '../../support/postgres-admin.js';

const PFX = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });

/** Every regular file under `dir` (PGDATA: heap, indexes, pg_wal, ...). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

/** The database copy taken before the lock: a file copy of PGlite's PGDATA, or a pg_dump restored into a new database. */
interface Copy {
  database: Database;
  /** Files to scan for key material: the PGDATA copy, or the dump. */
  files: string[];
  dispose(): Promise<void>;
}

async function copyBeforeLock(h: Harness): Promise<Copy> {
  const scratch = mkdtempSync(join(tmpdir(), 'dualkey-shred-copy-'));
  if (h.db.databaseUrl) {
    const dumpFile = join(scratch, 'before-lock.sql');
    writeFileSync(dumpFile, execFileSync('pg_dump', ['--no-owner', '--dbname', h.db.databaseUrl], { maxBuffer: 256 * 1024 * 1024 }));
    const name = `dualkey_copy_${randomBytes(4).toString('hex')}`;
    const admin = adminClient(h.db.databaseUrl);
    await admin.unsafe(`create database ${ident(name)}`);
    const url = withDatabase(h.db.databaseUrl, name);
    execFileSync('psql', ['--quiet', '--set', 'ON_ERROR_STOP=1', '--dbname', url, '--file', dumpFile], { stdio: 'ignore' });
    const database = await openDatabase({ databaseUrl: url, dataDir: scratch, migrate: false });
    return {
      database, files: [dumpFile],
      dispose: async () => {
        await database.close();
        await admin.unsafe(`drop database if exists ${ident(name)} with (force)`);
        await admin.end();
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  }
  // Checkpoint so the heap files hold what the WAL holds; the copy still includes pg_wal and is scanned whole.
  await h.db.database.transaction((tx) => tx.execute(sql`checkpoint`));
  copyDir(pgdataDir(h.db.dataDir!), pgdataDir(scratch));
  const database = await openDatabase({ dataDir: scratch, migrate: false, lockTimeoutMs: 5_000 });
  return {
    database, files: filesUnder(pgdataDir(scratch)),
    dispose: async () => {
      await database.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

describe('crypto-shred with the local vault (I7)', () => {
  let h: Harness;
  let s: Seeded;

  beforeEach(async () => {
    h = await createHarness({ onDisk: true });
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('after a lock neither the live database nor a copy taken before it, with the master key and the key directory, decrypts the instance', async () => {
    const up = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: PFX() });
    await h.engine.decide(s.bob, up.request.id, 'approve');
    const ref = { tenantId: s.tenant.id, instanceId: up.protector.instanceId, name: s.instance };
    await h.engine.records.put(ref, 'contract', Buffer.from('the secret terms'));
    h.clock.advanceHours(73);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: PFX() });
    const keyId = up.protector.vaultKeyId!;
    const sealedFile = readFileSync(join(h.keyDir, `${keyId}.key`));
    const sealed = Buffer.from((JSON.parse(sealedFile.toString('utf8')) as { ciphertext: string }).ciphertext, 'base64');

    const copy = await copyBeforeLock(h);
    try {
      await h.engine.decide(s.bob, lock.id, 'approve');
      const [status] = await h.engine.status(s.tenant.id, s.instance);
      expect(status).toMatchObject({ state: 'locked', keyDestruction: { outcome: 'destroyed', recoverableUntil: null } });

      // The copy, opened by the project's own code with the master key and the key directory as it is now.
      const vault = await LocalVault.open({ database: copy.database, masterKey: h.masterKey, keyDir: h.keyDir, now: () => h.clock.now() });
      const old = createEngine({ uow: createUnitOfWork(copy.database), vault, clock: h.clock, random: cryptoRandom, logger: new MemoryLogger(), steps: noStepHook });
      const [copied] = await old.status(s.tenant.id, s.instance);
      expect(copied?.state, 'the copy predates the lock').toBe('active');
      // The copy still says active, so its data plane asks the vault, which no longer has the key: key_inaccessible.
      await expect(old.records.get(ref, 'contract')).rejects.toMatchObject({ code: 'key_inaccessible', message: expect.stringContaining('no longer has it') });
      const wrapped = await old.deps.uow.run((store) => store.keyring.listByInstance(ref.instanceId));
      expect(wrapped.length).toBeGreaterThan(0);
      for (const row of wrapped) {
        const protector = await old.deps.uow.run((store) => store.protectors.byId(row.protectorId));
        await expect(vault.unwrapDek(protector?.vaultKeyId ?? keyId, row.wrapped)).rejects.toBeInstanceOf(VaultKeyNotFoundError);
      }
      expect(vault.storedKeyIds('protector')).not.toContain(keyId);

      // The live database refuses, and its key is gone too.
      await expect(h.engine.records.get(ref, 'contract')).rejects.toMatchObject({ code: 'instance_locked' });
      await expect(h.vault.unwrapDek(keyId, randomBytes(256))).rejects.toBeInstanceOf(VaultKeyNotFoundError);

      // No database file (live or copy, heap or WAL or dump) ever held the sealed key, nor does the key directory now.
      const liveFiles = h.db.dataDir && !h.db.databaseUrl ? filesUnder(pgdataDir(h.db.dataDir)) : [];
      const scanned = [...liveFiles, ...copy.files, ...filesUnder(h.keyDir)];
      expect(scanned.length).toBeGreaterThan(0);
      const probe = sealed.subarray(0, 48);
      const hits = scanned.filter((f) => statSync(f).size > 0 && readFileSync(f).includes(probe));
      expect(hits).toEqual([]);
      const pkcs8 = fixture('rsa-2048.key.der').subarray(0, 64);
      expect(scanned.filter((f) => readFileSync(f).includes(pkcs8))).toEqual([]);
    } finally {
      await copy.dispose();
    }
  }, 120_000);
});
