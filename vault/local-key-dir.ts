import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One sealed private key as stored in its own file of the key directory. */
export interface KeyFileRecord {
  purpose: 'protector' | 'kek';
  publicKey: Buffer;
  nonce: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  createdAt: string;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const SUFFIX = '.key';
/** A temporary or half-destroyed file older than this belongs to a process that died. */
const LEFTOVER_AGE_MS = 10 * 60_000;

/**
 * The local vault's key directory: one file per sealed key, written once atomically (temporary file,
 * fsync, link — which fails when the id exists) and destroyed by renaming it out of sight, overwriting
 * it with random bytes, fsyncing and unlinking it. Key material never enters the database, so no
 * database file, WAL segment or database backup ever holds it.
 */
export class LocalKeyDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Stores `record` under `keyId` unless the id exists; returns whatever is stored under it afterwards. */
  writeOnce(keyId: string, record: KeyFileRecord): KeyFileRecord {
    const target = this.pathOf(keyId);
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    writeDurably(tmp, encode(keyId, record));
    try {
      linkSync(tmp, target);
    } catch (e) {
      // The id exists (a retry, or a concurrent winner): this copy is surplus and holds a sealed key.
      shred(tmp);
      if (errnoOf(e) !== 'EEXIST') throw e;
    }
    // After a successful link the temporary name is the same inode as the key: unlink it, never overwrite it.
    try {
      unlinkSync(tmp);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
    this.syncDir();
    const stored = this.read(keyId);
    if (!stored) throw new Error(`vault key ${keyId} was destroyed while being stored`);
    return stored;
  }

  /** The record under `keyId`, or null when there is none. */
  read(keyId: string): KeyFileRecord | null {
    let raw: Buffer;
    try {
      raw = readFileSync(this.pathOf(keyId));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return null;
      throw e;
    }
    return decode(keyId, raw);
  }

  /** Removes the key's file for good; an absent key is a no-op. Returns whether a file was destroyed. */
  destroy(keyId: string): boolean {
    const doomed = join(this.dir, `.shred-${randomBytes(8).toString('hex')}`);
    try {
      // Renaming first makes the id vanish atomically for readers; the bytes are then overwritten unhurried.
      renameSync(this.pathOf(keyId), doomed);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw e;
    }
    shred(doomed);
    this.syncDir();
    return true;
  }

  /** Every stored key id. */
  list(): string[] {
    return readdirSync(this.dir).filter((f) => f.endsWith(SUFFIX) && !f.startsWith('.')).map((f) => f.slice(0, -SUFFIX.length)).sort();
  }

  /** Finishes destroys and writes a crashed process left behind (their files may hold sealed keys). */
  sweepLeftovers(nowMs: number): void {
    for (const f of readdirSync(this.dir)) {
      if (!f.startsWith('.shred-') && !f.startsWith('.tmp-')) continue;
      const path = join(this.dir, f);
      // Leave files a live process beside this one (the CLI next to serve) may be working on right now.
      if (nowMs - statSync(path).mtimeMs < LEFTOVER_AGE_MS) continue;
      shred(path);
    }
    this.syncDir();
  }

  private pathOf(keyId: string): string {
    if (!SAFE_ID.test(keyId)) throw new Error(`vault key id ${JSON.stringify(keyId)} is not a safe file name`);
    return join(this.dir, `${keyId}${SUFFIX}`);
  }

  private syncDir(): void {
    // The rename/link/unlink itself must be durable, or a crash could bring a destroyed name back.
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function writeDurably(path: string, data: Buffer): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Overwrites a file in place with random bytes, fsyncs, then unlinks it; an absent file is a no-op. */
function shred(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return;
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > 0) writeSync(fd, randomBytes(size), 0, size, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
}

function encode(keyId: string, r: KeyFileRecord): Buffer {
  const b64 = (b: Buffer) => b.toString('base64');
  return Buffer.from(JSON.stringify({
    format: 'dualkey-local-vault-key', version: 1, id: keyId, purpose: r.purpose, createdAt: r.createdAt,
    publicKey: b64(r.publicKey), nonce: b64(r.nonce), tag: b64(r.tag), ciphertext: b64(r.ciphertext),
  }));
}

function decode(keyId: string, raw: Buffer): KeyFileRecord {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`vault key file of ${keyId} is damaged`);
  }
  const b = (v: unknown) => Buffer.from(typeof v === 'string' ? v : '', 'base64');
  if (j.format !== 'dualkey-local-vault-key' || j.version !== 1 || j.id !== keyId || (j.purpose !== 'protector' && j.purpose !== 'kek')) {
    throw new Error(`vault key file of ${keyId} is not a dualkey local vault key for that id`);
  }
  return { purpose: j.purpose, publicKey: b(j.publicKey), nonce: b(j.nonce), tag: b(j.tag), ciphertext: b(j.ciphertext), createdAt: String(j.createdAt) };
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'error';
}
