import type { InstanceStatus } from './instance-status.js';

/** One line on key custody for `status` (every transport): destruction outcome of a locked key, or a key the store cannot use. */
export function describeCustody(s: Pick<InstanceStatus, 'keyDestruction' | 'keyAccessProblem'>): string | null {
  if (s.keyDestruction?.outcome === 'deleted') {
    return `key deleted in the key store but recoverable by its owner until ${s.keyDestruction.recoverableUntil ?? 'unknown'} (purge protection)`;
  }
  if (s.keyDestruction?.outcome === 'destroyed') return 'key destroyed in the key store';
  if (s.keyAccessProblem) return `KEY NOT ACCESSIBLE: ${s.keyAccessProblem}`;
  return null;
}
