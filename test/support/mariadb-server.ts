import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where Debian puts the server, its plugins and tools. */
const MARIADBD = '/usr/sbin/mariadbd';
const PLUGIN_DIR = '/usr/lib/mysql/plugin';

/**
 * True when mariadbd and the hashicorp_key_management plugin are installed. In CI (`CI=true`) their
 * absence is a failure, never a silent skip: `.ci/run` installs them.
 */
export function mariadbAvailable(): boolean {
  const present = existsSync(MARIADBD) && existsSync(path.join(PLUGIN_DIR, 'hashicorp_key_management.so'));
  if (!present && process.env.CI === 'true') throw new Error('mariadb-server and mariadb-plugin-hashicorp-key-management must be installed in CI (.ci/run installs them)');
  return present;
}

/** Runs a program to completion without blocking the event loop (the key server runs in this process). */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A program that exits before reading its input (a client refused by a server that is
    // shutting down) makes the write fail with EPIPE; its exit code already says what happened.
    child.stdin.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A private MariaDB installation: datadir, option file, socket and port of its own. */
export interface MariaInstall {
  dir: string;
  datadir: string;
  socket: string;
  port: number;
  errorLog: string;
  /** The option file every start uses (the test writes the key-server lines into it). */
  optionFile: string;
  dispose(): void;
}

/** Small, fast server settings: the tests need a running InnoDB, not a fast one. */
const LEAN = ['innodb-buffer-pool-size=16M', 'innodb-log-file-size=4M', 'innodb-log-buffer-size=2M', 'skip-name-resolve', 'performance-schema=OFF', 'skip-log-bin', 'innodb-fast-shutdown=1'];

/** mariadb-install-db into a fresh temporary datadir (about 2 s). */
export async function installMariadb(): Promise<MariaInstall> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dk-maria-'));
  const datadir = path.join(dir, 'data');
  mkdirSync(datadir);
  const r = await run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db', ...LEAN.slice(0, 2).map((o) => `--${o}`)]);
  if (r.code !== 0) throw new Error(`mariadb-install-db failed:\n${r.stdout}${r.stderr}`);
  const port = await freePort();
  return {
    dir, datadir, port,
    socket: path.join(dir, 'mysqld.sock'),
    errorLog: path.join(dir, 'error.log'),
    optionFile: path.join(dir, 'my.cnf'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes the option file: the lean settings, this install's paths, then `lines` (the key-server configuration). */
export function writeOptionFile(install: MariaInstall, lines: string[], datadir = install.datadir): void {
  const body = ['[mariadbd]', `datadir=${datadir}`, `socket=${install.socket}`, `port=${install.port}`, 'bind-address=127.0.0.1', `log-error=${install.errorLog}`, `pid-file=${path.join(install.dir, 'mysqld.pid')}`, 'user=root', ...LEAN, ...lines, ''];
  writeFileSync(install.optionFile, body.join('\n'), { mode: 0o600 });
}

/** A running (or exited) mariadbd started by the test. */
export interface Mariadbd {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited, with its status. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SQL through the socket; rows as tab-separated lines. Rejects on a client error. */
  sql(statement: string): Promise<string[]>;
  /** Stops by pid (SIGTERM: a clean shutdown) and waits for the exit; SIGKILL after `killAfterMs` (default 60 s). */
  stop(killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The exit status, or null when the process is still running after `ms`. */
  exitWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
}

/** The error log from `from` (a byte offset), for what one phase of a test printed. */
export function errorLogSince(install: MariaInstall, from = 0): string {
  return existsSync(install.errorLog) ? readFileSync(install.errorLog).subarray(from).toString('utf8') : '';
}

/** Current size of the error log (a marker for `errorLogSince`). */
export function errorLogMark(install: MariaInstall): number {
  return existsSync(install.errorLog) ? readFileSync(install.errorLog).length : 0;
}

/** SQL through the install's socket with the command-line client. */
export async function mariaSql(install: MariaInstall, statement: string): Promise<string[]> {
  const r = await run('mariadb', ['--no-defaults', `--socket=${install.socket}`, '-uroot', '-N', '-B', '-e', statement], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`mariadb client: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/**
 * Starts mariadbd with the option file and waits until it accepts connections. Resolves with the process,
 * or rejects with the error log when it exits first (what a start without keys looks like).
 */
export async function startMariadbd(install: MariaInstall, opts: { timeoutMs?: number } = {}): Promise<Mariadbd> {
  const child = spawn(MARIADBD, [`--defaults-file=${install.optionFile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (done) {
      const status = await exited;
      throw new MariadbdExited(status, `${errorLogSince(install)}${stderr}`);
    }
    if (existsSync(install.socket)) {
      try {
        await mariaSql(install, 'SELECT 1');
        break;
      } catch {
        // not accepting connections yet
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mariadbd did not start in time:\n${errorLogSince(install)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    pid: child.pid!,
    exited,
    sql: (statement) => mariaSql(install, statement),
    async stop(killAfterMs = 60_000) {
      if (!done) process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => !done && process.kill(child.pid!, 'SIGKILL'), killAfterMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
    async exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const status = await Promise.race([exited, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]);
      clearTimeout(timer);
      return status;
    },
  };
}

/** mariadbd exited before it accepted connections. */
export class MariadbdExited extends Error {
  constructor(readonly status: { code: number | null; signal: NodeJS.Signals | null }, readonly log: string) {
    super(`mariadbd exited (${status.code ?? status.signal}) before accepting connections`);
    this.name = 'MariadbdExited';
  }
}
