import { newId } from '../ids.js';
import type { Instance } from '../model/instance.js';
import type { Tenant } from '../model/tenant.js';
import type { Random } from '../ports/random.js';
import type { Store } from '../ports/store.js';

/** The events an offline hook receives. */
export type HookEvent = 'instance.locking' | 'instance.unlocked';

/**
 * Writes, in the caller's transaction (I4), the outbox row that posts `event` to the instance's offline
 * hook; nothing when the instance has none. The row's address is the instance id: the webhook channel
 * reads the hook's current URL and key when it sends. Returns whether a row was written.
 */
export async function queueHookEvent(
  store: Store, deps: { random: Random }, at: Date, tenant: Tenant, instance: Instance, event: HookEvent, requestId: string | null, drainUntil: Date | null,
): Promise<boolean> {
  const hook = await store.offlineHooks.byInstance(instance.id);
  if (!hook) return false;
  const body = { event, tenant: tenant.name, instance: instance.name, requestId, at: at.toISOString(), drainUntil: drainUntil?.toISOString() ?? null };
  await store.outbox.insert([{
    id: newId(deps.random), tenantId: tenant.id, eventId: newId(deps.random), adminId: null, address: instance.id, channel: 'webhook',
    message: { event, title: `${event} ${instance.name}`, facts: [], actions: [], status: null, requestId, instanceName: instance.name, body },
    kind: 'deliver', updateOf: null, dedupeKey: `hook:${event}:${instance.id}:${requestId ?? instance.generation}`, requestId, createdAt: at,
  }]);
  return true;
}
