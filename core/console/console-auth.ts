import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { Admin } from '../model/admin.js';
import type { ConsoleLink, ConsoleSession, SignInMethod } from '../model/console-session.js';
import type { Store } from '../ports/store.js';

/** A sign-in link lives ten minutes, like every one-time link (DESIGN §5). */
export const SIGN_IN_LINK_TTL_MS = 10 * 60_000;
/** A session ends after 30 minutes without a request… */
export const SESSION_IDLE_MS = 30 * 60_000;
/** …and 12 hours after sign-in, whatever happens. */
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
// Refreshing last-seen on every page view would write on every read; a minute's slack costs nothing.
const TOUCH_EVERY_MS = 60_000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** An open session and its admin. */
export interface OpenSession {
  session: ConsoleSession;
  admin: Admin;
}

/** Issues a one-time sign-in link token (256 random bits, only its hash stored) bound to the admin. */
export async function issueSignInLink(deps: EngineDeps, admin: Admin, issuedVia: ConsoleLink['issuedVia']): Promise<{ token: string; expiresAt: Date }> {
  const token = deps.random.bytes(32).toString('base64url');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS);
  await deps.uow.run((store) => store.consoleAuth.insertLink({ id: newId(deps.random), tokenHash: hash(token), tenantId: admin.tenantId, adminId: admin.id, issuedVia, createdAt: now, expiresAt, usedAt: null }));
  return { token, expiresAt };
}

/** The admin a sign-in link is for, or why it no longer works (the sign-in page shows whom it signs in before it is used). */
export async function inspectSignInLink(deps: EngineDeps, token: string): Promise<Admin> {
  return deps.uow.run(async (store) => (await liveLink(store, deps, token)).admin);
}

async function liveLink(store: Store, deps: EngineDeps, token: string): Promise<{ link: ConsoleLink; admin: Admin }> {
  const link = TOKEN.test(token) ? await store.consoleAuth.linkByHash(hash(token)) : null;
  const admin = link ? await store.admins.byId(link.adminId) : null;
  if (!link || !admin || admin.tenantId !== link.tenantId) throw new DomainError('sign_in_link_invalid', 'This sign-in link is not valid. Ask dualkey for a new one ("/dualkey console" in Slack, "console" in Teams).');
  if (link.usedAt) throw new DomainError('sign_in_link_used', 'This sign-in link was already used; links work once. Ask dualkey for a new one.');
  if (deps.clock.now().getTime() >= link.expiresAt.getTime()) throw new DomainError('sign_in_link_expired', 'This sign-in link expired (links last 10 minutes). Ask dualkey for a new one.');
  return { link, admin };
}

/**
 * Uses a sign-in link (compare-and-swap: once, whatever the number of concurrent clicks) and opens a session.
 * Returns the session cookie value, which is stored only hashed.
 */
export async function redeemSignInLink(deps: EngineDeps, token: string): Promise<OpenSession & { cookie: string }> {
  return deps.uow.run(async (store) => {
    const { link, admin } = await liveLink(store, deps, token);
    const now = deps.clock.now();
    if (!(await store.consoleAuth.useLink(link.id, now))) throw new DomainError('sign_in_link_used', 'This sign-in link was already used; links work once. Ask dualkey for a new one.');
    return startSession(store, deps, admin, 'link', { issuedVia: link.issuedVia });
  });
}

/** Opens a session for an admin who proved who they are (the one place a passkey sign-in would also call). */
export async function startSession(store: Store, deps: EngineDeps, admin: Admin, method: SignInMethod, details: Record<string, string>): Promise<OpenSession & { cookie: string }> {
  const cookie = deps.random.bytes(32).toString('base64url');
  const now = deps.clock.now();
  const session: ConsoleSession = {
    id: newId(deps.random), tenantId: admin.tenantId, adminId: admin.id, method, csrf: deps.random.bytes(32).toString('base64url'),
    createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS), endedAt: null,
  };
  await store.consoleAuth.insertSession({ ...session, tokenHash: hash(cookie) });
  await appendAudit(store, {
    at: now, tenantId: admin.tenantId, actor: { kind: 'admin', adminId: admin.id, email: admin.email, impersonatedBy: null }, transport: 'web',
    action: 'console_sign_in', instanceName: null, requestId: null, result: 'ok', code: null, details: { method, ...details },
  });
  return { session, admin, cookie };
}

/** The live session a cookie value names, refreshed; `session_expired` when it ended, idled out, passed 12 h or its admin was removed. */
export async function openSession(deps: EngineDeps, cookie: string): Promise<OpenSession> {
  return deps.uow.run(async (store) => {
    const expired = () => new DomainError('session_expired', 'You are signed out (sessions end after 30 minutes idle or 12 hours). Ask dualkey for a new sign-in link.');
    const session = TOKEN.test(cookie) ? await store.consoleAuth.sessionByHash(hash(cookie)) : null;
    if (!session || session.endedAt) throw expired();
    const now = deps.clock.now().getTime();
    if (now >= session.expiresAt.getTime() || now - session.lastSeenAt.getTime() >= SESSION_IDLE_MS) throw expired();
    const admin = await store.admins.byId(session.adminId);
    if (!admin || admin.tenantId !== session.tenantId) throw expired();
    if (now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await store.consoleAuth.touchSession(session.id, new Date(now));
    return { session, admin };
  });
}

/** Ends this session (sign out). */
export async function endSession(deps: EngineDeps, session: ConsoleSession): Promise<void> {
  await deps.uow.run((store) => store.consoleAuth.endSession(session.id, deps.clock.now()));
}

/** Ends every session of the admin, in every browser (sign out everywhere); audited. */
export async function endAllSessions(deps: EngineDeps, admin: Admin): Promise<number> {
  return deps.uow.run(async (store) => {
    const now = deps.clock.now();
    const n = await store.consoleAuth.endSessionsOf(admin.id, now);
    await appendAudit(store, {
      at: now, tenantId: admin.tenantId, actor: { kind: 'admin', adminId: admin.id, email: admin.email, impersonatedBy: null }, transport: 'web',
      action: 'console_sign_out_everywhere', instanceName: null, requestId: null, result: 'ok', code: null, details: { sessions: n },
    });
    return n;
  });
}
