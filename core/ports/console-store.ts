import type { AuditEntry } from '../model/audit-entry.js';
import type { CliToken } from '../model/cli-token.js';
import type { ConsoleLink, ConsoleSession } from '../model/console-session.js';
import type { InboxEntry } from '../model/inbox-entry.js';
import type { InstanceState, KeyMode } from '../model/instance.js';
import type { ProtectorKind } from '../model/protector.js';
import type { RequestType } from '../model/request.js';

// The console's repositories (inbox, sign-in, CLI tokens, read models), split from store.ts; Store gathers them.

/** The console inbox (the always-on alert channel). */
export interface InboxRepo {
  /** Inserts entries; one whose dedupeKey already exists is skipped. Returns how many were inserted. */
  insert(entries: InboxEntry[]): Promise<number>;
  /** Resolves every actionable entry about a request (buttons gone, marked unread again); returns the admins whose entries changed. */
  resolveRequest(requestId: string, resolution: string, at: Date): Promise<string[]>;
  /** The first entry about a request for an admin (what a reminder repeats). */
  firstForRequest(requestId: string, adminId: string): Promise<InboxEntry | null>;
  /** An admin's entries, newest first (by creation or resolution), a page at a time. */
  list(adminId: string, limit: number, offset: number): Promise<{ entries: InboxEntry[]; total: number }>;
  unreadCount(adminId: string): Promise<number>;
  /** Marks all of an admin's entries read at `at`. */
  markAllRead(adminId: string, at: Date): Promise<number>;
}

/** Console sign-in links and sessions. */
export interface ConsoleAuthRepo {
  insertLink(link: ConsoleLink & { tokenHash: string }): Promise<void>;
  linkByHash(tokenHash: string): Promise<ConsoleLink | null>;
  /** Compare-and-swap on never used; false when another request used it first. */
  useLink(id: string, at: Date): Promise<boolean>;
  insertSession(session: ConsoleSession & { tokenHash: string }): Promise<void>;
  sessionByHash(tokenHash: string): Promise<ConsoleSession | null>;
  touchSession(id: string, at: Date): Promise<void>;
  endSession(id: string, at: Date): Promise<void>;
  /** Ends every open session of an admin (sign-out everywhere, admin removed); returns how many. */
  endSessionsOf(adminId: string, at: Date): Promise<number>;
}

/** Personal CLI tokens of admins, stored as SHA-256 hashes only. */
export interface CliTokenRepo {
  insert(token: CliToken & { tokenHash: string }): Promise<void>;
  byHash(tokenHash: string): Promise<CliToken | null>;
  byId(id: string): Promise<CliToken | null>;
  /** The tenant's tokens (or one admin's), newest first, revoked ones included. */
  list(tenantId: string, adminId?: string): Promise<CliToken[]>;
  /** Revokes the token (compare-and-swap on not revoked); false when it was revoked already. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Revokes every live token of an admin (admin removed); returns how many. */
  revokeAllOf(adminId: string, at: Date): Promise<number>;
  touch(id: string, at: Date): Promise<void>;
}

/** One row of the console's instance list. */
export interface InstanceRow {
  name: string;
  state: InstanceState;
  keyMode: KeyMode;
  keyName: string;
  fingerprint: string;
  keyKind: ProtectorKind;
  keyCreatedAt: Date;
  lastKeyChangeAt: Date | null;
  pendingRequest: { id: string; type: RequestType; deadline: Date } | null;
}

/** Filters of the console's instance list. */
export interface InstanceQuery {
  search?: string;
  state?: InstanceState;
  keyMode?: KeyMode;
  limit: number;
  offset: number;
}

/** Filters of the console's audit view. */
export interface AuditQuery {
  tenantId: string;
  instanceName?: string;
  actorEmail?: string;
  action?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** Read models of the console, one SQL statement each (a tenant may have thousands of instances). */
export interface ConsoleViewRepo {
  instances(tenantId: string, query: InstanceQuery): Promise<{ rows: InstanceRow[]; total: number }>;
  audit(query: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }>;
}
