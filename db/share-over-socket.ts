import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { Database } from './database.js';
import { checkedSocketPath } from './data-dir-layout.js';
import { listenOwnerSocket } from './listen-owner-socket.js';
import { isPgliteDatabase, type PgliteDatabase } from './pglite-database.js';
import { SocketSessionQueue } from './socket-session-queue.js';

/** A running share of the embedded database. */
export interface SocketShare {
  readonly path: string;
  /** Stops accepting, ends every session (rolling back open transactions) and removes the socket. */
  close(): Promise<void>;
}

/** Tuning for tests. */
export interface ShareOptions {
  /** A session idle this long is closed, so a hung CLI cannot block serve forever (default 60 s). */
  idleTimeoutMs?: number;
}

/**
 * Shares the embedded database on `<dataDir>/.s.PGSQL.5432` so that `dualkey` commands can run beside
 * `dualkey serve`. Each connection is one exclusive session of the database's gate: in-process
 * transactions wait while a client is connected, and clients are served one at a time.
 */
export async function shareOverSocket(database: Database, dataDir: string, opts: ShareOptions = {}): Promise<SocketShare> {
  if (!isPgliteDatabase(database)) throw new Error('shareOverSocket needs the embedded (PGlite) database');
  const path = checkedSocketPath(dataDir);
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  const sockets = new Set<Socket>();
  const sessions = new Set<Promise<void>>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const session = runSession(database, socket, idleTimeoutMs)
      // A session that cannot even roll back means PGlite itself is closing: nothing left to do.
      .catch(() => {})
      .finally(() => {
        sockets.delete(socket);
        sessions.delete(session);
      });
    sessions.add(session);
  });
  // Trust authentication: only this user may connect.
  await listenOwnerSocket(server, path);

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await stopped;
    await Promise.all([...sessions]);
    rmSync(path, { force: true });
  };
  const share: SocketShare = { path, close: () => (closing ??= close()) };
  database.beforeClose(() => share.close());
  return share;
}

async function runSession(database: PgliteDatabase, socket: Socket, idleTimeoutMs: number): Promise<void> {
  // A client may vanish while waiting for the gate: never let its socket error crash the process.
  const ignore = (): void => {};
  socket.on('error', ignore);
  const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const release = await database.gate.acquire('exclusive');
  try {
    if (socket.destroyed) return;
    const queue = new SocketSessionQueue(database.pglite);
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
      idleTimeout: idleTimeoutMs,
    });
    // The handler removes the socket's listeners when it detaches: wait for whichever signal comes first.
    const handlerDone = new Promise<void>((resolve) => {
      handler.addEventListener('close', () => resolve(), { once: true });
      handler.addEventListener('error', () => resolve(), { once: true });
    });
    await handler.attach(socket);
    await Promise.race([socketClosed, handlerDone]);
    socket.on('error', ignore);
    socket.destroy();
    await queue.finish();
  } finally {
    release();
  }
}
