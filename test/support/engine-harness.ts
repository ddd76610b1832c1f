import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { Admin } from '../../core/model/admin.js';
import type { Tenant } from '../../core/model/tenant.js';
import type { NewAdmin } from '../../core/setup/add-admin.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Vault } from '../../core/ports/vault.js';
import { LocalVault } from '../../vault/local-vault.js';
import { cryptoRandom } from '../../bot/runtime/crypto-random.js';
import { FaultHook } from './fault-hook.js';
import { TestClock } from './test-clock.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database.js';

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info = (msg: string, fields: object = {}) => void this.lines.push(JSON.stringify({ level: 'info', msg, ...fields }));
  warn = (msg: string, fields: object = {}) => void this.lines.push(JSON.stringify({ level: 'warn', msg, ...fields }));
  error = (msg: string, fields: object = {}) => void this.lines.push(JSON.stringify({ level: 'error', msg, ...fields }));
}

/** A vault under the harness: any adapter that can list what it stores (the invariants look for orphaned keys). */
export type HarnessVault = Vault & { storedKeyIds(purpose?: 'protector' | 'kek'): string[] | Promise<string[]>; close?(): void };

/** Harness options: the test database's, and another vault than the local one (opened on the harness clock). */
export type HarnessOptions = TestDatabaseOptions & { vault?: (now: () => Date) => Promise<HarnessVault> };

/** A real engine on a private test database and a real local vault, with an injected clock and fault hook. */
export interface Harness {
  db: TestDatabase;
  engine: Engine;
  clock: TestClock;
  faults: FaultHook;
  vault: HarnessVault;
  /** The local vault's master key and key directory (crypto-shred tests open copies with them). */
  masterKey: Buffer;
  keyDir: string;
  logger: MemoryLogger;
  /** A new engine on the same database and vault: what a restarted process has (no caches). */
  restart(): Engine;
  dispose(): Promise<void>;
}

/** Builds the harness; the master key is random per harness. */
export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase(opts);
  const clock = new TestClock();
  const faults = new FaultHook();
  const logger = new MemoryLogger();
  const keyDir = mkdtempSync(join(tmpdir(), 'dualkey-keys-'));
  const masterKey = randomBytes(32);
  const vault: HarnessVault = opts.vault ? await opts.vault(() => clock.now()) : await LocalVault.open({ database: db.database, masterKey, keyDir, now: () => clock.now() });
  // As a server configured with SMTP, Slack and Teams would have recorded at its start.
  await db.uow.run((store) => store.deploymentChannels.replace(['email', 'slack', 'teams'], clock.now()));
  const build = () => createEngine({ uow: db.uow, vault, clock, random: cryptoRandom, logger, steps: faults, devImpersonation: true });
  const h: Harness = {
    db, clock, faults, vault, masterKey, keyDir, logger,
    engine: build(),
    restart() {
      h.engine = build();
      return h.engine;
    },
    dispose: async () => {
      vault.close?.();
      await db.dispose();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** A tenant with admins ann and bob (global), cat (system_admin of crm-prod) and instance crm-prod. */
export interface Seeded {
  tenant: Tenant;
  ann: Actor;
  bob: Actor;
  cat: Actor;
  instance: string;
}

/** The actor of an admin acting through the CLI for the operator: accepted only because the harness engine sets devImpersonation (local-development flag). */
export function asCli(admin: Admin): Actor {
  return { admin, transport: 'cli', impersonatedBy: 'operator' };
}

/** Seeds the standard tenant; the clock advances a minute so admins predate later requests. */
export async function seedTenant(h: Pick<Harness, 'engine' | 'clock'>, opts: { selfManagedKeys?: boolean; instance?: string } = {}): Promise<Seeded> {
  const instance = opts.instance ?? 'crm-prod';
  const tenant = await h.engine.createTenant('acme', { selfManagedKeys: opts.selfManagedKeys ?? true });
  const add = (email: string, name: string) => h.engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
  const ann = asCli(await add('ann@example.com', 'Ann'));
  const bob = asCli(await add('bob@example.com', 'Bob'));
  await h.engine.createInstance(tenant.id, instance);
  const cat = await addApprovedAdmin(h, { ann, bob }, { email: 'cat@example.com', name: 'Cat', role: 'system_admin', instances: [instance], identities: [] });
  h.clock.advanceHours(1 / 60);
  return { tenant, ann, bob, cat: asCli(cat), instance };
}

/** Adds an admin the two-person way: ann requests the roster change, bob approves it. */
export async function addApprovedAdmin(h: Pick<Harness, 'engine'>, s: { ann: Actor; bob: Actor }, input: NewAdmin): Promise<Admin> {
  const request = await h.engine.requestAdminChange(s.ann, { operation: 'admin_add', ...input });
  await h.engine.decide(s.bob, request.id, 'approve');
  return h.engine.adminByEmail(s.ann.admin.tenantId, input.email);
}

/** Runs `fn` and returns the DomainError code it was refused with (fails the test when it succeeds). */
export async function refusal(fn: () => Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: string; message: string; details?: Record<string, unknown> };
    if (typeof err.code === 'string' && err.code !== '' && (e as Error).name === 'DomainError') return { code: err.code, message: err.message, details: err.details ?? {} };
    throw e;
  }
  throw new Error('expected a refusal, but the call succeeded');
}
