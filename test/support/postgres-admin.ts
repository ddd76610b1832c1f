import postgres, { type Sql } from 'postgres';
import { setTimeout as sleep } from 'node:timers/promises';

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A one-connection client for CREATE/DROP DATABASE. */
export function adminClient(url: string): Sql {
  return postgres(url, { max: 1, idle_timeout: 5, onnotice: () => {} });
}

/** Quotes a generated database name (letters, digits and underscores only). */
export function ident(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}

/**
 * Runs a CREATE/ALTER DATABASE, retrying while the source is briefly "being accessed by other users"
 * (a client that just disconnected may still have its backend exiting).
 */
export async function retryInUse(admin: Sql, statement: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(statement);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
      await sleep(100);
    }
  }
}
