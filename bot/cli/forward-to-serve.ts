import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { cliSocketPath } from '../../db/data-dir-layout.js';
import { loadConfig } from '../runtime/config.js';
import type { CliSocketReply, CliSocketRequest } from './cli-socket-protocol.js';
import { mayBeForwarded } from './forwarded-commands.js';

/** What serve's run of a forwarded command wrote, and its exit status. */
export interface ForwardedRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Sends the request and reads serve's one-line reply; null when nothing listens, it hangs up first, or it stays silent for `timeoutMs`. */
function exchange(socketFile: string, request: CliSocketRequest, timeoutMs: number): Promise<CliSocketReply | null> {
  return new Promise((resolve) => {
    const socket = connect(socketFile);
    // A wedged serve must not hang the command an operator runs to look at it.
    socket.setTimeout(timeoutMs, () => socket.destroy());
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (received += chunk));
    // A stale socket file refuses the connection; a serve that stops mid-command closes it unanswered.
    socket.on('error', () => resolve(null));
    socket.on('close', () => {
      try {
        resolve(received.endsWith('\n') ? (JSON.parse(received) as CliSocketReply) : null);
      } catch {
        resolve(null);
      }
    });
  });
}

/**
 * Has a running `dualkey serve` that owns the embedded data dir answer a read-only command (FORWARDED_COMMANDS)
 * over its CLI socket. Null when the command is not one, the configuration is invalid or names a PostgreSQL
 * server, no serve listens, or serve declines: the caller then runs the command itself (and reports any error).
 */
export async function forwardToServe(argv: string[], env: NodeJS.ProcessEnv): Promise<ForwardedRun | null> {
  if (!mayBeForwarded(argv)) return null;
  let config;
  try {
    config = loadConfig(env);
  } catch {
    return null;
  }
  if (config.DATABASE_URL) return null;
  const socketFile = cliSocketPath(path.resolve(config.DUALKEY_DATA_DIR));
  if (!existsSync(socketFile)) return null;
  // The commands are read-only: when serve goes away or stays silent, running them here instead is safe. It waits
  // as long as the CLI waits for a held database (DUALKEY_DB_LOCK_TIMEOUT_MS), which it then meets again.
  const reply = await exchange(socketFile, { argv }, config.DUALKEY_DB_LOCK_TIMEOUT_MS);
  if (!reply?.forwarded) return null;
  return { code: reply.code, stdout: Buffer.from(reply.stdout, 'base64'), stderr: reply.stderr };
}
