import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import postgres from 'postgres';
import type { Database } from './database.js';
import { socketPath } from './data-dir-layout.js';
import { createPostgresDatabase } from './postgres-database.js';

/**
 * When a `dualkey serve` shares the embedded database of `dataDir` over its unix socket, returns a
 * Database connected through it (no migration: the owner applied them); otherwise null.
 */
export async function connectToServe(dataDir: string, connectTimeoutMs: number): Promise<Database | null> {
  const path = socketPath(dataDir);
  if (!existsSync(path) || !(await accepts(path))) return null;
  const client = postgres({
    path,
    username: 'postgres',
    database: 'postgres',
    // The server is one PGlite session: no named statements, no type lookups, one connection,
    // and let go of it soon when idle so that serve's own work can proceed.
    prepare: false,
    fetch_types: false,
    max: 1,
    idle_timeout: 0.25,
    connect_timeout: Math.max(1, Math.ceil(connectTimeoutMs / 1000)),
    onnotice: () => {},
  });
  return createPostgresDatabase(client, { prepare: false });
}

/** True when something listens on the socket (a stale socket file refuses connections). */
function accepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
