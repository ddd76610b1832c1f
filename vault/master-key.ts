import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Length of the local vault's master key: an AES-256 key. */
export const MASTER_KEY_BYTES = 32;

/** A configuration error about the master key file: the message names the file and says how to fix it. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/**
 * Loads the local vault's 32-byte master key.
 *
 * File format (DUALKEY_MASTER_KEY_FILE or `<dataDir>/master.key`): exactly 32 raw bytes, or
 * text holding the 32 bytes as 64 hex digits or as base64 (standard or url-safe, padding
 * optional); surrounding whitespace and a trailing newline are ignored in the text forms.
 * A generated key is written as 32 raw bytes. The file must not be accessible to group
 * or others (chmod 600).
 */
export function loadMasterKey(opts: { masterKeyFile?: string; dataDir: string }): Buffer {
  // An empty DUALKEY_MASTER_KEY_FILE counts as unset.
  const explicit = opts.masterKeyFile !== undefined && opts.masterKeyFile !== '';
  const file = explicit ? (opts.masterKeyFile as string) : join(opts.dataDir, 'master.key');
  // Only the default location is generated: an explicitly configured file that is missing
  // is a configuration mistake, and silently creating a new key there would orphan every stored key.
  if (!explicit) ensureGenerated(opts.dataDir, file);
  return readMasterKeyFile(file);
}

function readMasterKeyFile(file: string): Buffer {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    throw new MasterKeyError(`Cannot read the master key file ${file} (${errnoOf(e)}). Check DUALKEY_MASTER_KEY_FILE, or unset it to use a key generated in the data directory.`);
  }
  if (!stat.isFile()) throw new MasterKeyError(`The master key file ${file} is not a regular file.`);
  // POSIX permission bits mean nothing on Windows, where access is governed by ACLs.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
    throw new MasterKeyError(`The master key file ${file} is accessible to other users (mode ${mode}). Restrict it to its owner with: chmod 600 ${file}`);
  }
  const raw = readFileSync(file);
  try {
    return decodeMasterKey(raw, file);
  } finally {
    raw.fill(0);
  }
}

/** Decodes raw / hex / base64 content; never echoes the content in errors. */
function decodeMasterKey(raw: Buffer, file: string): Buffer {
  if (raw.length === MASTER_KEY_BYTES) return Buffer.from(raw);
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) {
    const key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    if (key.length === MASTER_KEY_BYTES) return key;
  }
  throw new MasterKeyError(
    `The master key file ${file} does not hold a ${MASTER_KEY_BYTES}-byte key (${raw.length} bytes read). ` +
      `It must contain exactly 32 raw bytes, 64 hex digits, or 32 bytes in base64; for example: openssl rand -out ${file} 32 && chmod 600 ${file}`,
  );
}

/** Creates `<dataDir>/master.key` with a fresh random key unless it exists; safe against concurrent starts. */
function ensureGenerated(dataDir: string, file: string): void {
  if (exists(file)) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Write the key to a private temporary file first and publish it with link(), which fails
  // if the target exists: a concurrent starter then either sees no file or a complete one,
  // never an empty file a crashed or slower process was still writing.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(MASTER_KEY_BYTES);
  try {
    writeExclusive(tmp, key);
    try {
      linkSync(tmp, file);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') return; // another process won the race; use its key
      // Filesystems without hard links: fall back to an exclusive create of the target itself.
      if (errnoOf(e) === 'EPERM' || errnoOf(e) === 'ENOTSUP' || errnoOf(e) === 'EXDEV') {
        try {
          writeExclusive(file, key);
        } catch (e2) {
          if (errnoOf(e2) !== 'EEXIST') throw e2;
        }
        return;
      }
      throw e;
    }
  } finally {
    key.fill(0);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone or never created
    }
  }
}

function writeExclusive(path: string, data: Buffer): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask could only narrow 0600, but be explicit
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return false;
    throw e;
  }
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'error';
}
