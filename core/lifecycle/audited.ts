import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { isAttemptOnTheRule, refusedAttemptAlert } from '../alerts/refused-attempt-alert.js';
import { appendAudit, auditActorOf, systemAuditActor } from '../audit/append-audit.js';
import { requireOwnCredential } from '../access/require-own-credential.js';
import { isDomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { EngineDeps } from '../engine-deps.js';

/** What a privileged command is, for its audit entry. */
export interface AuditedCommand {
  action: string;
  actor: Actor | 'operator' | 'scheduler';
  tenantId: string | null;
  instanceName?: string | null;
  requestId?: string | null;
}

/**
 * Runs a privileged command. An admin actor impersonated by the operator is refused here, in the one
 * path every admin command takes, so no transport can bypass it (I6). A refusal is appended to the audit chain (in its own transaction,
 * since the refused command commits nothing) and rethrown; an attempt on the two-person rule (self-approval, impersonation, a second
 * identity, a shared key) is also alerted to every admin in that transaction. Successes audit themselves in their commit.
 */
export async function audited<T>(deps: EngineDeps, cmd: AuditedCommand, fn: () => Promise<T>): Promise<T> {
  try {
    if (typeof cmd.actor !== 'string') requireOwnCredential(cmd.actor, deps.devImpersonation);
    return await fn();
  } catch (e) {
    if (isDomainError(e)) {
      const actor = typeof cmd.actor === 'string' ? systemAuditActor(cmd.actor) : auditActorOf(cmd.actor);
      const transport = typeof cmd.actor === 'string' ? (cmd.actor === 'operator' ? 'cli' : 'system') : cmd.actor.transport;
      const at = deps.clock.now();
      await deps.uow.run(async (store) => {
        await appendAudit(store, {
          at,
          tenantId: cmd.tenantId,
          actor,
          transport,
          action: cmd.action,
          instanceName: cmd.instanceName ?? null,
          requestId: cmd.requestId ?? null,
          result: 'refused',
          code: e.code,
          details: e.details,
        });
        // An attempt on the two-person rule itself is announced to every admin, not only recorded.
        if (isAttemptOnTheRule(e.code, e.details) && cmd.tenantId && typeof cmd.actor !== 'string') {
          await fanOutAlert(store, deps, at, cmd.tenantId, refusedAttemptAlert({ action: cmd.action, actor: cmd.actor, code: e.code, instanceName: cmd.instanceName ?? null, requestId: cmd.requestId ?? null, at }));
        }
      });
    }
    throw e;
  }
}
