import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../core/errors.js';

/** A held data-dir lock. */
export interface DataDirLock {
  readonly dataDir: string;
  /** Removes the lock if this process still owns it; idempotent. */
  release(): void;
}

/** Outcome of one non-blocking attempt. */
export type LockAttempt = { held: DataDirLock } | { busyPid: number };

interface Owner {
  pid: number;
  token: string;
  /** Process start time (Linux), so a recycled pid is not mistaken for the owner. */
  started: string;
}

// A takeover of a stale lock is a few synchronous fs calls; a takeover marker older than this was abandoned.
const TAKEOVER_MAX_AGE_MS = 5_000;
const POLL_MS = 50;

const held = new Map<string, { token: string; lockDir: string }>();
let exitHookInstalled = false;

/** Takes the lock, waiting up to `timeoutMs` for a live owner; throws `database_busy` after that. */
export async function acquireDataDirLock(dataDir: string, timeoutMs: number): Promise<DataDirLock> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const attempt = tryAcquireDataDirLock(dataDir);
    if ('held' in attempt) return attempt.held;
    if (performance.now() >= deadline) throw databaseBusy(dataDir, attempt.busyPid);
    await sleep(POLL_MS);
  }
}

/** The refusal given when another live process owns the embedded database. */
export function databaseBusy(dataDir: string, pid: number): DomainError {
  return new DomainError(
    'database_busy',
    `The embedded database in ${dataDir} is in use by process ${pid}. Wait for it to finish, or stop it, then try again.`,
    { pid },
  );
}

/**
 * One attempt at `<dataDir>/lock`: a directory holding a `pid` file. It is built under a temporary
 * name and renamed into place, so the lock and its owner appear atomically (rename fails when the
 * target is a non-empty directory). A lock whose pid is dead is stale and taken over.
 */
export function tryAcquireDataDirLock(dataDir: string): LockAttempt {
  const lockDir = join(dataDir, 'lock');
  for (;;) {
    const token = randomUUID();
    if (tryCreate(dataDir, lockDir, token)) return { held: register(dataDir, lockDir, token) };
    const owner = readOwner(lockDir);
    if (owner === 'gone') continue;
    if (owner !== null && isAlive(owner)) return { busyPid: owner.pid };
    // Dead owner (or an ownerless lock directory): remove it under the takeover marker, then retry.
    if (!takeOver(dataDir, lockDir, owner)) return { busyPid: owner?.pid ?? 0 };
  }
}

function tryCreate(dataDir: string, lockDir: string, token: string): boolean {
  const staging = mkdtempSync(join(dataDir, 'lock.new-'));
  try {
    writeFileSync(join(staging, 'pid'), `${process.pid}\n${token}\n${startTime(process.pid)}\n`, { mode: 0o600 });
    renameSync(staging, lockDir);
    return true;
  } catch (e) {
    if (isCode(e, 'ENOTEMPTY', 'EEXIST')) return false;
    throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The owner, null when the directory has no readable owner, 'gone' when there is no lock. */
function readOwner(lockDir: string): Owner | null | 'gone' {
  let text: string;
  try {
    text = readFileSync(join(lockDir, 'pid'), 'utf8');
  } catch (e) {
    if (!isCode(e, 'ENOENT', 'ENOTDIR')) throw e;
    try {
      statSync(lockDir);
      return null;
    } catch {
      return 'gone';
    }
  }
  const [pid, token, started] = text.split('\n');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 && token ? { pid: n, token, started: started ?? '' } : null;
}

function isAlive(owner: Owner): boolean {
  // Our own pid: alive only if this process really holds it (a container restart reuses low pids).
  if (owner.pid === process.pid) return [...held.values()].some((h) => h.token === owner.token);
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if (isCode(e, 'ESRCH')) return false;
  }
  const started = startTime(owner.pid);
  return owner.started === '' || started === '' || started === owner.started;
}

/** Field 22 of /proc/<pid>/stat (start time since boot), or '' where /proc is unavailable. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** Removes a stale lock; returns false when another process is busy doing the same. */
function takeOver(dataDir: string, lockDir: string, seen: Owner | null): boolean {
  const marker = join(dataDir, 'lock.takeover');
  try {
    mkdirSync(marker);
  } catch (e) {
    if (!isCode(e, 'EEXIST')) throw e;
    // Someone else is taking over right now; only a marker abandoned by a crash is removed.
    if (Date.now() - mtimeMs(marker) <= TAKEOVER_MAX_AGE_MS) return false;
    rmSync(marker, { recursive: true, force: true });
    return true;
  }
  try {
    // Re-read under the marker: only remove the very lock we judged stale.
    const now = readOwner(lockDir);
    if (now === 'gone') return true;
    const same = now === null ? seen === null : seen !== null && now.token === seen.token;
    if (same && (now === null || !isAlive(now))) {
      const graveyard = join(dataDir, `lock.stale-${randomUUID()}`);
      renameSync(lockDir, graveyard);
      rmSync(graveyard, { recursive: true, force: true });
    }
    return true;
  } finally {
    rmdirSync(marker);
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function register(dataDir: string, lockDir: string, token: string): DataDirLock {
  held.set(lockDir, { token, lockDir });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // One listener for every lock this process holds; a killed process leaves a stale lock instead.
    process.on('exit', () => {
      for (const h of held.values()) releaseIfOwned(h.lockDir, h.token);
    });
  }
  let released = false;
  return {
    dataDir,
    release() {
      if (released) return;
      released = true;
      held.delete(lockDir);
      releaseIfOwned(lockDir, token);
    },
  };
}

function releaseIfOwned(lockDir: string, token: string): void {
  const owner = readOwner(lockDir);
  if (owner === null || owner === 'gone' || owner.token !== token) return;
  const graveyard = `${lockDir}.released-${randomUUID()}`;
  try {
    renameSync(lockDir, graveyard);
    rmSync(graveyard, { recursive: true, force: true });
  } catch {
    // Best effort: a lock left behind is taken over as stale once this process is gone.
  }
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return typeof e === 'object' && e !== null && codes.includes((e as { code?: string }).code ?? '');
}
