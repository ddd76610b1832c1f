import { appendAudit } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import { CLI_TOKEN_PREFIX, cliTokenHash } from './create-cli-token.js';

const SHAPE = new RegExp(`^${CLI_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

/**
 * The admin a personal CLI token belongs to, as a CLI actor acting in their own name (not impersonated).
 * An unknown, revoked or orphaned token is refused with `token_invalid`, and the attempt is audited.
 */
export async function resolveCliToken(deps: EngineDeps, token: string): Promise<Actor> {
  const value = token.trim();
  const now = deps.clock.now();
  const found = await deps.uow.run(async (store) => {
    const row = SHAPE.test(value) ? await store.cliTokens.byHash(cliTokenHash(value)) : null;
    const admin = row ? await store.admins.byId(row.adminId) : null;
    if (row && admin && !row.revokedAt) await store.cliTokens.touch(row.id, now);
    return { row, admin };
  });
  const { row, admin } = found;
  if (row && admin && !row.revokedAt) return { admin, transport: 'cli' };
  const reason = !row ? 'unknown' : !admin ? 'admin_removed' : 'revoked';
  await deps.uow.run((store) =>
    appendAudit(store, {
      at: now, tenantId: row?.tenantId ?? null, actor: { kind: 'unknown', adminId: null, email: null, impersonatedBy: null }, transport: 'cli',
      action: 'cli_token_use', instanceName: null, requestId: null, result: 'refused', code: 'token_invalid', details: { reason, token: row?.id ?? null },
    }),
  );
  throw new DomainError(
    'token_invalid',
    reason === 'revoked'
      ? 'This CLI token was revoked. Create a new one with the "cli-token" chat command or in the console (CLI tokens).'
      : reason === 'admin_removed'
        ? 'This CLI token belonged to an admin who was removed; it no longer works.'
        : 'This CLI token is not valid. Check the --token-file, or create a new token with the "cli-token" chat command or in the console (CLI tokens).',
    { reason },
  );
}
