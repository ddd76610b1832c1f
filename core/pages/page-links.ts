import { createHash } from 'node:crypto';
import { requireEntitled, requireInstanceAdmin } from '../access/authorize.js';
import { requireOwnCredential } from '../access/require-own-credential.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor } from '../model/actor.js';
import type { Admin } from '../model/admin.js';
import type { PageOperation, PageToken } from '../model/page-token.js';
import { loadInstance, requireActive } from '../lifecycle/load-instance.js';
import { requireCooldownOver } from '../lifecycle/lock-cooldown.js';
import { requireNoPending } from '../lifecycle/require-no-pending.js';

/** A page link lives ten minutes (DESIGN §5). */
export const PAGE_LINK_TTL_MS = 10 * 60_000;
/** Wrong passwords or files tolerated on one link before it is burned. */
export const PAGE_LINK_MAX_FAILURES = 5;

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Issues a one-time link token (256 random bits) for an admin, an operation and an instance; only its hash is stored. */
export async function issuePageLink(deps: EngineDeps, actor: Actor, operation: PageOperation, instanceName: string): Promise<{ token: string; expiresAt: Date }> {
  const token = deps.random.bytes(32).toString('base64url');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + PAGE_LINK_TTL_MS);
  await deps.uow.run(async (store) => {
    if (operation === 'cli_token') {
      // A CLI token is rooted in a credential the admin holds (chat, console), never in the CLI itself.
      requireOwnCredential(actor, false);
      if (actor.transport === 'cli' || actor.transport === 'system') throw new DomainError('operator_cannot_act_as_admin', 'Create a CLI token from chat ("cli-token") or in the web console.');
      await store.pageTokens.insert({
        id: newId(deps.random), tokenHash: hash(token), tenantId: actor.admin.tenantId, adminId: actor.admin.id, operation, instanceName: '',
        transport: actor.transport, createdAt: now, expiresAt, usedAt: null, failedAttempts: 0,
      });
      return;
    }
    // Refuse now what the page would refuse anyway, before anyone types a password.
    const { tenant, instance } = await loadInstance(store, actor.admin.tenantId, instanceName);
    requireEntitled(tenant);
    requireInstanceAdmin(actor.admin, instance);
    if (operation === 'unlock') {
      if (instance.state !== 'locked') throw new DomainError('instance_not_active', `${instanceName} is ${instance.state}, not locked; there is nothing to unlock.`, { instance: instanceName });
    } else {
      requireActive(instance);
      await requireNoPending(store, instance);
    }
    if (operation === 'lock') {
      if (instance.keyMode !== 'customer') throw new DomainError('customer_key_required', `${instanceName} uses a service-managed key; only an instance protected by your own key can be locked.`, { instance: instanceName });
      requireCooldownOver(instance, tenant, now);
    }
    await store.pageTokens.insert({
      id: newId(deps.random), tokenHash: hash(token), tenantId: tenant.id, adminId: actor.admin.id, operation, instanceName,
      transport: actor.transport, createdAt: now, expiresAt, usedAt: null, failedAttempts: 0,
    });
  });
  return { token, expiresAt };
}

/** The admin and operation a link grants, or why it no longer works. */
export async function openPageLink(deps: EngineDeps, token: string): Promise<{ page: PageToken; admin: Admin }> {
  const found = await deps.uow.run(async (store) => {
    const page = /^[A-Za-z0-9_-]{43}$/.test(token) ? await store.pageTokens.byHash(hash(token)) : null;
    return page ? { page, admin: await store.admins.byId(page.adminId) } : null;
  });
  if (!found || !found.admin) throw new DomainError('page_link_invalid', 'This link is not valid. Ask dualkey for a new one in chat.');
  const { page, admin } = found;
  if (page.usedAt) throw new DomainError('page_link_used', 'This link was already used; links work once. Ask dualkey for a new one.');
  if (page.failedAttempts >= PAGE_LINK_MAX_FAILURES) throw new DomainError('page_link_used', 'This link was closed after too many failed attempts. Ask dualkey for a new one.');
  if (deps.clock.now().getTime() >= page.expiresAt.getTime()) throw new DomainError('page_link_expired', 'This link expired (links last 10 minutes). Ask dualkey for a new one.');
  return { page, admin };
}

/** Marks a link used once its operation succeeded; false when another request used it first. */
export async function usePageLink(deps: EngineDeps, page: PageToken): Promise<boolean> {
  return deps.uow.run((store) => store.pageTokens.markUsed(page.id, deps.clock.now()));
}

/** Counts a refused attempt (wrong password, wrong file) against the link. */
export async function failPageLink(deps: EngineDeps, page: PageToken): Promise<void> {
  await deps.uow.run((store) => store.pageTokens.recordFailure(page.id));
}
