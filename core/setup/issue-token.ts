import { createHash } from 'node:crypto';
import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import { audited } from '../lifecycle/audited.js';

const PREFIX = 'dkt_';

/** SHA-256 of a bearer token: the only form the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Issues a data-plane bearer token for one instance; the clear token is returned once and never stored. */
export async function issueToken(deps: EngineDeps, tenantId: string, instanceName: string): Promise<string> {
  return audited(deps, { action: 'token_issue', actor: 'operator', tenantId, instanceName }, async () => {
    const token = PREFIX + deps.random.bytes(32).toString('base64url');
    await deps.uow.run(async (store) => {
      const instance = await store.instances.byName(tenantId, instanceName);
      if (!instance) throw new DomainError('instance_not_found', `There is no instance named ${instanceName}.`, { instance: instanceName });
      const at = deps.clock.now();
      const id = newId(deps.random);
      await store.tokens.insert({ id, instanceId: instance.id, tokenHash: hashToken(token), createdAt: at });
      await appendAudit(store, {
        at, tenantId, actor: systemAuditActor('operator'), transport: 'cli', action: 'token_issue', instanceName, requestId: null, result: 'ok', code: null, details: { tokenId: id },
      });
    });
    return token;
  });
}

/** The instance a bearer token grants, or a `token_invalid` refusal. */
export async function resolveToken(deps: EngineDeps, token: string): Promise<{ instanceId: string; tenantId: string; name: string }> {
  const found = token.startsWith(PREFIX)
    ? await deps.uow.run(async (store) => {
        const t = await store.tokens.byHash(hashToken(token));
        return t ? store.instances.byId(t.instanceId) : null;
      })
    : null;
  if (!found) throw new DomainError('token_invalid', 'The bearer token is not valid. Ask the operator for a token with "dualkey instance token <instance>".');
  return { instanceId: found.id, tenantId: found.tenantId, name: found.name };
}
