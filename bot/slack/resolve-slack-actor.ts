import { appendAudit } from '../../core/audit/append-audit.js';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { ChatReply } from '../commands/chat-reply.js';

/** Who clicked or typed, as Slack says: workspace (team) id and user id. */
export interface SlackUser {
  teamId: string;
  userId: string;
}

/**
 * The admin linked to this Slack user (workspace → tenant, user → admin through linked identities),
 * or null after auditing the attempt (`slack_unknown_user`, refused, `identity_not_linked`).
 */
export async function resolveSlackActor(engine: Engine, user: SlackUser, attempted: string): Promise<Actor | null> {
  const admin = user.teamId && user.userId ? await engine.adminByIdentity('slack', user.teamId, user.userId) : null;
  if (admin) return { admin, transport: 'slack' };
  await engine.deps.uow.run((store) =>
    appendAudit(store, {
      at: engine.deps.clock.now(),
      tenantId: null,
      actor: { kind: 'unknown', adminId: null, email: null, impersonatedBy: null },
      transport: 'slack',
      action: 'slack_unknown_user',
      instanceName: null,
      requestId: null,
      result: 'refused',
      code: 'identity_not_linked',
      details: { workspace: user.teamId.slice(0, 64), user: user.userId.slice(0, 64), attempted: attempted.slice(0, 200) },
    }),
  );
  return null;
}

/** The private refusal an unlinked Slack user gets: what to ask the operator for. */
export function unknownUserReply(user: SlackUser): ChatReply {
  return {
    kind: 'refusal',
    code: 'identity_not_linked',
    title: 'Your Slack account is not linked to a dualkey admin, so dualkey cannot act for you.',
    lines: [
      `If you are already an admin, ask a global admin to link this account: dualkey admin link <your e-mail> --slack ${user.teamId}/${user.userId}`,
      `If you are not an admin yet, a global admin can propose you: dualkey admin add <your e-mail> --name <name> --role <role> --slack ${user.teamId}/${user.userId}`,
      'Either is a roster request that a second global admin approves.',
    ],
    fields: [],
  };
}
