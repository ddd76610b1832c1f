import { join } from 'node:path';
import { DomainError } from '../core/errors.js';

// sun_path is 108 bytes on Linux (104 on macOS) including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 103;

/** Where PGlite keeps its PGDATA inside the data dir (apart from the lock, the socket and other state). */
export function pgdataDir(dataDir: string): string {
  return join(dataDir, 'pgdata');
}

/** The unix socket a `dualkey serve` owning the data dir listens on. */
export function socketPath(dataDir: string): string {
  return join(dataDir, '.s.PGSQL.5432');
}

/** The unix socket on which a `dualkey serve` owning the data dir answers read-only CLI commands itself. */
export function cliSocketPath(dataDir: string): string {
  return join(dataDir, 'cli.sock');
}

/** The socket path, or a refusal that says how to fix a data dir whose path is too long for a unix socket. */
export function checkedSocketPath(dataDir: string): string {
  const path = socketPath(dataDir);
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new DomainError(
      'invalid_input',
      `The data dir path is too long to share the embedded database over a unix socket (${path} is ${bytes} bytes, the limit is ${MAX_SOCKET_PATH_BYTES}). Set DUALKEY_DATA_DIR to a shorter path.`,
      { bytes, limit: MAX_SOCKET_PATH_BYTES },
    );
  }
  return path;
}
