import { DomainError } from '../errors.js';
import type { Instance } from '../model/instance.js';
import type { Request } from '../model/request.js';
import type { Store } from '../ports/store.js';

/** Refuses with `change_pending` / `lock_pending` while the instance has an undecided request. */
export async function requireNoPending(store: Store, instance: Instance): Promise<void> {
  const pending = await store.requests.pendingForInstance(instance.id);
  const change = pending.find((r: Request) => r.type === 'key_change');
  if (change) {
    throw new DomainError('change_pending', `A key change on ${instance.name} (${change.id}) awaits review until ${change.deadline.toISOString()}. Approve or roll it back first.`, {
      request: change.id,
      instance: instance.name,
    });
  }
  const lock = pending.find((r: Request) => r.type === 'lock');
  if (lock) {
    throw new DomainError('lock_pending', `A lock of ${instance.name} (${lock.id}) awaits approval. Approve or reject it first.`, { request: lock.id, instance: instance.name });
  }
}
