import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../core/engine.js';
import type { Database } from '../../db/database.js';
import { openDatabase } from '../../db/open-database.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { createTestDatabase, testEngine, type TestDatabase } from './test-database.js';

/** The project root, where `bin/dualkey.js` lives. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI entry point, run exactly as `npx dualkey` runs it. */
export const DUALKEY_BIN = path.join(PROJECT_ROOT, 'bin', 'dualkey.js');

/** One finished `node bin/dualkey.js …` run. */
export interface CliRun<T = unknown> {
  args: string[];
  /** Exit status (null when killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** Standard output as bytes, for commands that print raw record values. */
  stdoutBytes: Buffer;
  stderr: string;
  /** Standard output parsed as JSON, or undefined when it is not JSON. */
  json: T;
  /** Wall-clock duration of the process, in milliseconds. */
  ms: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Bytes piped to standard input (closed immediately when absent). */
  stdin?: Buffer | string;
  /** Variables added to (or, with `undefined`, removed from) the workspace environment. */
  env?: Record<string, string | undefined>;
  /** Killed with SIGKILL after this long (default 30 s); the run then has `signal` set. */
  timeoutMs?: number;
}

/** Prefixes of the variables dualkey (and the managed-identity library it uses) reads: never inherited from the test runner's environment. */
const DUALKEY_VARIABLES = /^(DUALKEY_|DATABASE_URL$|PORT$|AZURE_|PKCS11_|SLACK_|TEAMS_|SMTP_|PUBLIC_URL$|IDENTITY_ENDPOINT$|IDENTITY_HEADER$|MSI_ENDPOINT$|MSI_SECRET$)/;

/** The runner's environment without any dualkey configuration. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !DUALKEY_VARIABLES.test(k)));
}

function mergeEnv(base: NodeJS.ProcessEnv, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `node bin/dualkey.js <args>` and collects its exit status and output. */
export function runDualkey<T = unknown>(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; stdin?: Buffer | string; timeoutMs?: number },
): Promise<CliRun<T>> {
  const started = performance.now();
  const child = spawn(process.execPath, [DUALKEY_BIN, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  child.stdin!.on('error', () => {}); // a command that does not read stdin may exit before we finish writing
  child.stdin!.end(opts.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stdout = stdoutBytes.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ args, code, signal, stdout, stdoutBytes, stderr: Buffer.concat(err).toString('utf8'), json: json as T, ms: performance.now() - started });
    });
  });
}

/**
 * A private dualkey installation for spawned CLI processes: a working directory, a data dir (migrated
 * PGlite copied from the run's template, or a fresh PostgreSQL database plus a data dir for the vault's
 * master key), the environment that points dualkey at them, and every run made through it.
 */
export interface CliWorkspace {
  /** The working directory of spawned commands (key files, password files, outputs go here). */
  cwd: string;
  dataDir: string;
  databaseUrl: string | null;
  env: NodeJS.ProcessEnv;
  /** Every run made with `run`, in order (to check what was ever printed). */
  runs: CliRun[];
  run<T = unknown>(args: string[], opts?: RunOptions): Promise<CliRun<T>>;
  /** Opens the workspace's database in the test process (no CLI run may be in flight on PGlite). */
  withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T>;
  /** Opens an engine on the workspace exactly as the CLI does (same master key), in the test process. */
  withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/** Creates a workspace; on PGlite the data dir is released so spawned processes can own it. */
export async function createCliWorkspace(): Promise<CliWorkspace> {
  const db: TestDatabase = await createTestDatabase({ onDisk: true });
  if (testEngine === 'pglite') await db.database.close();
  const cwd = mkdtempSync(path.join(tmpdir(), 'dualkey-cwd-'));
  const dataDir = db.dataDir!;
  const env = mergeEnv(cleanEnv(), { DUALKEY_DATA_DIR: dataDir, DATABASE_URL: db.databaseUrl ?? undefined });
  const runs: CliRun[] = [];
  const ws: CliWorkspace = {
    cwd,
    dataDir,
    databaseUrl: db.databaseUrl,
    env,
    runs,
    async run<T = unknown>(args: string[], opts: RunOptions = {}) {
      const r = await runDualkey<T>(args, { cwd, env: mergeEnv(env, opts.env), stdin: opts.stdin, timeoutMs: opts.timeoutMs });
      runs.push(r);
      return r;
    },
    async withDatabase(fn) {
      const database = await openDatabase({ dataDir, databaseUrl: db.databaseUrl ?? undefined, migrate: false, lockTimeoutMs: 5_000 });
      try {
        return await fn(database);
      } finally {
        await database.close();
      }
    },
    async withEngine(fn) {
      const runtime = await openRuntime(loadConfig(mergeEnv(env, { DUALKEY_DB_LOCK_TIMEOUT_MS: '5000' })));
      try {
        return await fn(runtime.engine);
      } finally {
        await runtime.close();
      }
    },
    async dispose() {
      rmSync(cwd, { recursive: true, force: true });
      await db.dispose();
    },
  };
  return ws;
}

/** A spawned `dualkey serve`. */
export interface ServeProcess {
  child: ChildProcess;
  /** The URL from its `"msg":"dualkey serving"` log line. */
  url: string;
  /** That whole log line. */
  serving: Record<string, unknown>;
  stderr(): string;
  /** Sends `signal` and resolves with the exit status and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Spawns `dualkey serve` on PORT=0 in the workspace and waits for its "dualkey serving" log line. */
export async function spawnServe(ws: CliWorkspace, opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [DUALKEY_BIN, 'serve'], { cwd: ws.cwd, env: mergeEnv(ws.env, { PORT: '0', ...opts.env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const serving = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dualkey serve did not log "dualkey serving" in time:\n${err}${out}`));
    }, opts.timeoutMs ?? 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      // Complete lines only: the last element is a line still being written.
      for (const line of err.split('\n').slice(0, -1)) {
        if (!line.includes('"msg":"dualkey serving"')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
        return;
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`dualkey serve exited (${code ?? signal}) before serving:\n${err}${out}`));
    });
  });
  return {
    child,
    url: String(serving.url),
    serving,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      const started = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const r = await exited;
      return { ...r, ms: performance.now() - started };
    },
  };
}
