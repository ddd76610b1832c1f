import { createHash } from 'node:crypto';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { CliToken } from '../model/cli-token.js';
import { audited } from '../lifecycle/audited.js';

/** Personal CLI tokens start with this, so secret scanners and people recognise one. */
export const CLI_TOKEN_PREFIX = 'dkc_';
/** Live tokens one admin may hold at a time (a careless script should not mint thousands). */
export const MAX_LIVE_CLI_TOKENS = 20;
const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789';

/** The stored form of a CLI token: its SHA-256, hex. */
export function cliTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A short id an admin or the operator can type to revoke a token (`ct-` + 10 characters). */
function newCliTokenId(deps: EngineDeps): string {
  let s = '';
  for (const byte of deps.random.bytes(10)) s += BASE32[byte % BASE32.length];
  return `ct-${s}`;
}

/** Checks a token label: 1 to 60 printable characters, default "CLI token". */
function cleanLabel(label: string | null | undefined): string {
  const v = (label ?? '').normalize('NFKC').trim();
  if (v === '') return 'CLI token';
  if (v.length > 60 || /[\p{Cc}\p{Cf}]/u.test(v)) throw new DomainError('invalid_input', 'A token label is 1 to 60 printable characters, e.g. "laptop" or "deploy script".');
  return v;
}

/**
 * Creates a personal CLI token for the acting admin (256 random bits, shown once, stored only hashed).
 * Only the admin's own credential can do it: the operator never creates a token for someone (I6).
 */
export async function createCliToken(deps: EngineDeps, actor: Actor, label?: string | null): Promise<{ token: string; cliToken: CliToken }> {
  return audited(deps, { action: 'cli_token_create', actor, tenantId: actor.admin.tenantId }, async () => {
    // A token must be rooted in a credential the admin holds, not in another CLI token or impersonation.
    if (actor.transport === 'cli' || actor.transport === 'system') {
      throw new DomainError('operator_cannot_act_as_admin', 'A CLI token is created by the admin themselves: with the "cli-token" command in Slack or Teams, or in the web console (CLI tokens).');
    }
    const name = cleanLabel(label);
    const token = `${CLI_TOKEN_PREFIX}${deps.random.bytes(32).toString('base64url')}`;
    const now = deps.clock.now();
    const cliToken: CliToken = { id: newCliTokenId(deps), tenantId: actor.admin.tenantId, adminId: actor.admin.id, label: name, createdAt: now, lastUsedAt: null, revokedAt: null };
    await deps.uow.run(async (store) => {
      const live = (await store.cliTokens.list(actor.admin.tenantId, actor.admin.id)).filter((t) => !t.revokedAt);
      if (live.length >= MAX_LIVE_CLI_TOKENS) {
        throw new DomainError('invalid_input', `You hold ${live.length} CLI tokens already; revoke one you no longer use first (console → CLI tokens).`);
      }
      await store.cliTokens.insert({ ...cliToken, tokenHash: cliTokenHash(token) });
      await appendAudit(store, {
        at: now, tenantId: actor.admin.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'cli_token_create',
        instanceName: null, requestId: null, result: 'ok', code: null, details: { token: cliToken.id, label: name },
      });
    });
    return { token, cliToken };
  });
}
