import type { EngineDeps } from '../engine-deps.js';
import { openHookSecret } from './hook-secret.js';

/** Where and with which key the webhook channel posts an instance's events now. */
export interface HookTarget {
  url: string;
  /** The HMAC-SHA256 key (the secret text shown once); the caller zeroes it. */
  secret: Buffer;
}

/** The instance's current offline hook with its key unsealed, or null when it has none. */
export async function offlineHookTarget(deps: EngineDeps, instanceId: string): Promise<HookTarget | null> {
  const row = await deps.uow.run((store) => store.offlineHooks.byInstance(instanceId));
  if (!row) return null;
  return { url: row.url, secret: await openHookSecret(deps, instanceId, row.url, row) };
}
