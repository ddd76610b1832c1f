import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Engine } from '../../core/engine.js';
import type { Logger } from '../../core/ports/logger.js';
import { cliSocketPath } from '../../db/data-dir-layout.js';
import { listenOwnerSocket } from '../../db/listen-owner-socket.js';
import type { Config } from '../runtime/config.js';
import type { CliIo } from './cli-io.js';
import { MAX_CLI_REQUEST_BYTES, type CliSocketReply, type CliSocketRequest } from './cli-socket-protocol.js';
import { findCommand } from './command-table.js';
import { isForwarded } from './forwarded-commands.js';
import { runCli } from './run-cli.js';
import { splitCommandPath } from './split-command-path.js';
import { UsageError } from './usage-error.js';

/** A listening CLI socket. */
export interface CliSocket {
  readonly path: string;
  /** Stops accepting, waits for the commands being answered and removes the socket. */
  close(): Promise<void>;
}

/** A client that sends nothing for this long is dropped (a command line arrives at once). */
const REQUEST_TIMEOUT_MS = 10_000;

function parseRequest(line: string): CliSocketRequest | null {
  try {
    const value = JSON.parse(line) as { argv?: unknown };
    return Array.isArray(value.argv) && value.argv.length <= 256 && value.argv.every((a) => typeof a === 'string') ? { argv: value.argv as string[] } : null;
  } catch {
    return null;
  }
}

/** Runs a forwarded command line on serve's own engine and configuration, capturing what it writes. */
async function answer(argv: string[], engine: Engine, config: Config): Promise<CliSocketReply> {
  const out: Buffer[] = [];
  let err = '';
  const io: CliIo = {
    stdout: (data) => void out.push(Buffer.from(data)),
    stderr: (text) => void (err += text),
    // Forwarded commands read neither (FORWARDED_COMMANDS); a new one that did would fail loudly here.
    readStdin: () => Promise.reject(new UsageError('standard input is not forwarded to serve')),
    promptSecret: async () => null,
    cwd: '/',
  };
  const code = await runCli(argv, io, {
    env: {},
    config,
    openEngine: async () => ({ engine, close: async () => {} }),
    serve: () => Promise.reject(new UsageError('serve is not run over the CLI socket')),
  });
  return { forwarded: true, code, stdout: Buffer.concat(out).toString('base64'), stderr: err };
}

/**
 * Listens on `<dataDir>/cli.sock` (0600, like the database socket beside it) and answers the read-only
 * commands of FORWARDED_COMMANDS with serve's engine: a `dualkey status` beside serve then loads no database
 * driver, ORM or engine and holds no database session. Everything else is declined and runs in the CLI.
 */
export async function serveCliOverSocket(opts: { dataDir: string; engine: Engine; config: Config; logger: Logger }): Promise<CliSocket> {
  const path = cliSocketPath(opts.dataDir);
  const sockets = new Set<Socket>();
  const answering = new Set<Promise<void>>();
  const handle = async (socket: Socket, line: string): Promise<void> => {
    const request = parseRequest(line);
    if (!request) return void socket.destroy();
    const command = findCommand(splitCommandPath(request.argv).words);
    const forwarded = isForwarded(request.argv, command?.path ?? null);
    const reply: CliSocketReply = forwarded ? await answer(request.argv, opts.engine, opts.config) : { forwarded: false };
    if (reply.forwarded) opts.logger.info('cli command answered over the socket', { command: command!.path.join(' '), exitCode: reply.code });
    socket.end(`${JSON.stringify(reply)}\n`);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end < 0) {
        if (buffered.length > MAX_CLI_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.setTimeout(0);
      const done = handle(socket, buffered.slice(0, end))
        .catch((e: unknown) => {
          opts.logger.error('cli command over the socket failed', { error: e instanceof Error ? e.message : String(e) });
          socket.destroy();
        })
        .finally(() => answering.delete(done));
      answering.add(done);
    };
    socket.on('data', onData);
  });
  // Only this user may connect: whoever can is the operator.
  await listenOwnerSocket(server, path);
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...answering]);
    for (const socket of sockets) socket.destroy();
    await stopped;
    rmSync(path, { force: true });
  };
  return { path, close: () => (closing ??= close()) };
}
