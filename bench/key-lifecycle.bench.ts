import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { createEngine } from '../core/engine.js';
import { generatePfx } from '../core/keyfiles/generate-pfx.js';
import { PFX_PBKDF2_ITERATIONS } from '../core/keyfiles/build-pfx.js';
import type { Actor } from '../core/model/actor.js';
import { noStepHook } from '../core/ports/step-hook.js';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { LocalVault } from '../vault/local-vault.js';
import { median, timeMs, type BenchRow } from './bench-row.js';
import { openPrivateDatabase } from './private-database.js';

const PASSWORD = 'bench password 0123456789';

/**
 * Key change cost does not grow with the data (DESIGN §4: DEKs are re-wrapped, records never
 * re-encrypted): a key change and its rollback on an instance with 100,000 records vs one with none,
 * alternated in one run; and a generated PFX (`key new`) vs the openssl CLI doing the same work.
 */
export async function benchKeyLifecycle(runs = 7): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  const keyDir = mkdtempSync(join(tmpdir(), 'dualkey-bench-keys-'));
  const work = mkdtempSync(join(tmpdir(), 'dualkey-bench-openssl-'));
  try {
    const vault = await LocalVault.open({ database: priv.database, masterKey: randomBytes(32), keyDir, now: () => systemClock.now() });
    const engine = createEngine({ uow: createUnitOfWork(priv.database), vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook, devImpersonation: true });
    const tenant = await engine.createTenant('bench-keys', { selfManagedKeys: true });
    const add = async (email: string, name: string): Promise<Actor> => ({ admin: await engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] }), transport: 'cli', impersonatedBy: 'operator' });
    const ann = await add('ann@bench.example.com', 'Ann');
    const bob = await add('bob@bench.example.com', 'Bob');
    const full = await engine.createInstance(tenant.id, 'with-100k-records');
    await engine.createInstance(tenant.id, 'empty');
    // Record rows are opaque to a key change: bulk-inserted ciphertext of the right shape, never read here.
    await priv.database.transaction((tx) =>
      tx.execute(sql`insert into records (instance_id, key, ciphertext, nonce, tag, dek_version, updated_at)
        select ${full.id}, 'r/' || g, decode(repeat('ab', 1024), 'hex'), decode(repeat('00', 12), 'hex'), decode(repeat('00', 16), 'hex'), 1, now()
        from generate_series(1, 100000) g`),
    );
    await priv.database.transaction((tx) => tx.execute(sql`analyze records`));
    const pfx = generatePfx({ commonName: 'bench', password: PASSWORD, now: new Date(), serialNumber: randomBytes(8) }).pfx;
    const change = async (instance: string) => {
      const r = await engine.changeKey(ann, instance, { kind: 'upload', upload: { file: pfx, password: PASSWORD } });
      await engine.decide(bob, r.request.id, 'rollback');
    };
    await change('empty');
    await change('with-100k-records');
    const withData: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < runs; i++) {
      withData.push(await timeMs(() => change('with-100k-records')));
      without.push(await timeMs(() => change('empty')));
    }

    // key new vs openssl: RSA 2048 + self-signed SHA-256 certificate + PFX with PBES2/AES-256 at the same PBKDF2 count.
    writeFileSync(join(work, 'pw'), PASSWORD);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'ignore' });
    const viaOpenssl = () => {
      openssl('genrsa', '-out', 'k.pem', '2048');
      openssl('req', '-x509', '-new', '-key', 'k.pem', '-subj', '/CN=bench', '-days', '365', '-sha256', '-out', 'c.pem');
      openssl('pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-out', 'o.pfx', '-passout', 'file:pw', '-keypbe', 'AES-256-CBC', '-certpbe', 'NONE', '-macalg', 'sha256', '-iter', String(PFX_PBKDF2_ITERATIONS));
    };
    const viaDualkey = () => generatePfx({ commonName: 'bench', password: PASSWORD, now: new Date(), serialNumber: randomBytes(8) });
    const generated: number[] = [];
    const baseline: number[] = [];
    // RSA key generation time varies a lot from key to key: many alternated runs, medians compared.
    for (let i = 0; i < runs * 3; i++) {
      generated.push(await timeMs(viaDualkey));
      baseline.push(await timeMs(viaOpenssl));
    }
    return [
      {
        name: `key change + rollback, 100,000 records vs 0 records (${priv.label})`,
        dualkey: median(withData), baseline: median(without), unit: 'ms', lowerIsBetter: true, target: { kind: 'ratio_at_most', value: 1.2 },
      },
      {
        name: `key new PFX (RSA 2048, cert, PBES2 ${PFX_PBKDF2_ITERATIONS} + MAC ${2 * PFX_PBKDF2_ITERATIONS} iterations) vs openssl genrsa+req+pkcs12 (-iter ${PFX_PBKDF2_ITERATIONS} for both)`,
        dualkey: median(generated), baseline: median(baseline), unit: 'ms', lowerIsBetter: true, target: { kind: 'ratio_at_most', value: 1.5 },
      },
    ];
  } finally {
    await priv.dispose();
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
