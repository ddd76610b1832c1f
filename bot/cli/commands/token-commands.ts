import type { CliTokenView } from '../../../core/cli-tokens/manage-cli-tokens.js';
import { type CliCommand, str } from '../cli-command.js';

const row = (t: CliTokenView) => ({
  id: t.id, admin: t.adminEmail, label: t.label, createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null, revokedAt: t.revokedAt?.toISOString() ?? null,
});

/**
 * token list, token revoke: the operator's view of personal CLI tokens (never the tokens themselves).
 * The operator may revoke any token (taking power away is safe) but never creates one: admins do, in chat or the console.
 */
export const tokenCommands: CliCommand[] = [
  {
    path: ['token', 'list'],
    usage: 'dualkey token list [--admin <email>] [--token-file <f>]',
    options: { admin: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, values) {
      const engine = await ctx.engine();
      // With a token, an admin sees their own tokens; without, the operator sees the tenant's (optionally one admin's).
      const own = await ctx.actingAdmin(undefined);
      const tenantId = own ? own.admin.tenantId : (await ctx.tenant()).id;
      const email = str(values, 'admin');
      const adminId = own ? own.admin.id : email ? (await engine.adminByEmail(tenantId, email)).id : undefined;
      const json = (await engine.listCliTokens(tenantId, adminId)).map(row);
      return {
        json,
        text: json.map((t) => `${t.id}  ${t.admin ?? '(removed admin)'}  "${t.label}"  created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`).join('\n') || 'No CLI tokens.',
      };
    },
  },
  {
    path: ['token', 'revoke'],
    usage: 'dualkey token revoke <token id> [--token-file <f>]',
    options: {},
    args: [1, 1],
    async run(ctx, [id]) {
      const engine = await ctx.engine();
      const by = (await ctx.actingAdmin(undefined)) ?? 'operator';
      const tenantId = by === 'operator' ? (await ctx.tenant()).id : by.admin.tenantId;
      const { token, alreadyRevoked } = await engine.revokeCliToken(by, tenantId, id!);
      return {
        json: { id: token.id, revokedAt: token.revokedAt?.toISOString() ?? null, alreadyRevoked },
        text: alreadyRevoked ? `${token.id} was already revoked (${token.revokedAt?.toISOString()}).` : `Revoked ${token.id}: it no longer works.`,
      };
    },
  },
];
