import { appendAudit, auditActorOf, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { CliToken } from '../model/cli-token.js';
import { audited } from '../lifecycle/audited.js';

/** A token as listed: never the token, only what identifies it. */
export type CliTokenView = CliToken & { adminEmail: string | null };

/** The tenant's CLI tokens (or one admin's), newest first, with their admin's e-mail. */
export async function listCliTokens(deps: EngineDeps, tenantId: string, adminId?: string): Promise<CliTokenView[]> {
  return deps.uow.run(async (store) => {
    const [tokens, admins] = await Promise.all([store.cliTokens.list(tenantId, adminId), store.admins.list(tenantId)]);
    const emails = new Map(admins.map((a) => [a.id, a.email]));
    return tokens.map((t) => ({ ...t, adminEmail: emails.get(t.adminId) ?? null }));
  });
}

/**
 * Revokes a CLI token: an admin revokes their own (a global admin any of the tenant's); the operator may
 * revoke any, since revoking only takes power away. Revoking twice is harmless. Audited, never with the token.
 */
export async function revokeCliToken(deps: EngineDeps, by: Actor | 'operator', tenantId: string, tokenId: string): Promise<{ token: CliToken; alreadyRevoked: boolean }> {
  return audited(deps, { action: 'cli_token_revoke', actor: by, tenantId }, () =>
    deps.uow.run(async (store) => {
      const token = await store.cliTokens.byId(tokenId);
      const mayRevoke = (t: CliToken) => by === 'operator' || t.adminId === by.admin.id || by.admin.role === 'global_admin';
      if (!token || token.tenantId !== tenantId || !mayRevoke(token)) {
        throw new DomainError('token_invalid', `There is no CLI token ${tokenId.slice(0, 40)} you can revoke. List tokens with "dualkey token list" or in the console (CLI tokens).`, { token: tokenId.slice(0, 40) });
      }
      if (token.revokedAt) return { token, alreadyRevoked: true };
      const now = deps.clock.now();
      await store.cliTokens.revoke(token.id, now);
      const owner = await store.admins.byId(token.adminId);
      await appendAudit(store, {
        at: now, tenantId, actor: by === 'operator' ? systemAuditActor('operator') : auditActorOf(by), transport: by === 'operator' ? 'cli' : by.transport,
        action: 'cli_token_revoke', instanceName: null, requestId: null, result: 'ok', code: null, details: { token: token.id, owner: owner?.email ?? null },
      });
      return { token: { ...token, revokedAt: now }, alreadyRevoked: false };
    }),
  );
}
