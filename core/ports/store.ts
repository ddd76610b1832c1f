import type { AuditKey } from '../audit/audit-key.js';
import type { Admin, Identity, Platform } from '../model/admin.js';
import type { AuditDraft, AuditEntry } from '../model/audit-entry.js';
import type { DbKey } from '../model/db-key.js';
import type { Instance, InstanceState, KeyMode } from '../model/instance.js';
import type { JournalEntry } from '../model/journal-entry.js';
import type { PageToken } from '../model/page-token.js';
import type { Channel, OutboxDelivery, OutboxMessage } from '../model/outbox-message.js';
import type { PasskeyRepo, WebAuthnChallengeRepo } from './passkey-store.js';
import type { InboxRepo, ConsoleAuthRepo, CliTokenRepo, InstanceRow, InstanceQuery, AuditQuery, ConsoleViewRepo } from './console-store.js';
import type { Protector, ProtectorDestruction, ProtectorKind, ProtectorStatus, WrappedDek } from '../model/protector.js';
import type { EncryptedRecord, RecordRead } from '../model/record.js';
import type { HotPath } from './hot-path.js';
import type { Request, RequestState, RequestType } from '../model/request.js';
import type { RequestApproval } from '../model/request-approval.js';
import type { Tenant, TenantSettings } from '../model/tenant.js';

/** Tenants. */
export interface TenantRepo {
  insert(tenant: Tenant): Promise<void>;
  byId(id: string): Promise<Tenant | null>;
  byName(name: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  setKek(id: string, vaultKeyId: string, publicKey: Buffer): Promise<void>;
  updateSettings(id: string, settings: TenantSettings): Promise<void>;
  setSelfManagedKeys(id: string, entitled: boolean): Promise<void>;
}

/** Admins and their linked chat identities. */
export interface AdminRepo {
  insert(admin: Admin): Promise<void>;
  byId(id: string): Promise<Admin | null>;
  /** The listed admins that still exist, in two queries whatever their number (a delivery batch's recipients). */
  byIds(ids: readonly string[]): Promise<Admin[]>;
  /** As byIds, each row share-locked until the transaction ends (a removal waits for it): a decision's deciders. */
  lockByIds(ids: readonly string[]): Promise<Admin[]>;
  byEmail(tenantId: string, email: string): Promise<Admin | null>;
  byIdentity(platform: Platform, workspace: string, userId: string): Promise<Admin | null>;
  list(tenantId: string): Promise<Admin[]>;
  addIdentity(adminId: string, identity: Identity): Promise<void>;
  removeIdentity(adminId: string, identity: Identity): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Changes an instance row may receive. */
export interface InstancePatch {
  state?: InstanceState;
  keyMode?: KeyMode;
  protectorId?: string;
  lastKeyChangeAt?: Date | null;
  drainUntil?: Date | null;
}

/** Instances. */
export interface InstanceRepo {
  insert(instance: Instance): Promise<void>;
  byId(id: string): Promise<Instance | null>;
  byName(tenantId: string, name: string): Promise<Instance | null>;
  list(tenantId: string): Promise<Instance[]>;
  /** Every instance of the tenant by name with what `status` shows of its current key, in one query (10,000 instances). */
  listWithCurrentKey(tenantId: string): Promise<Array<{ instance: Instance; key: CurrentKey | null }>>;
  /** Reads the row with a row lock held until the transaction ends. */
  lockById(id: string): Promise<Instance | null>;
  /** Id and name of each listed instance that still exists (one query: a request list names only its own instances). */
  namesOf(ids: readonly string[]): Promise<Array<{ id: string; name: string }>>;
  /**
   * State and generation of each listed instance that still exists, and whether the key store refuses its
   * current protector's key (key-access health): one query, with which key caches check theirs.
   */
  generationsOf(ids: readonly string[]): Promise<Array<{ id: string; state: InstanceState; generation: number; drainUntil: Date | null; keyRefused: boolean }>>;
  /** Applies the patch and bumps the generation when the generation still equals `expected`; returns the new row or null. */
  update(id: string, expectedGeneration: number, patch: InstancePatch): Promise<Instance | null>;
  /** Ids of `locking` instances whose drain window ended at or before `now` (every tenant). */
  drainsDue(now: Date): Promise<string[]>;
}

/** What `status` shows of an instance's current protector (no public key: it is not shown, and it is most of the row). */
export type CurrentKey = Pick<Protector, 'name' | 'fingerprint' | 'kind' | 'destruction' | 'accessProblem'>;

/** An instance's offline hook: where lock and unlock events are posted, and its HMAC key sealed by the vault. */
export interface OfflineHookRow {
  instanceId: string;
  url: string;
  secretCiphertext: Buffer;
  secretNonce: Buffer;
  secretTag: Buffer;
  setBy: string;
  setAt: Date;
}

/** Offline hooks, one per instance at most. */
export interface OfflineHookRepo {
  byInstance(instanceId: string): Promise<OfflineHookRow | null>;
  /** Inserts or replaces the instance's hook. */
  put(row: OfflineHookRow): Promise<void>;
  /** Removes the hook; false when there was none. */
  remove(instanceId: string): Promise<boolean>;
}

/** Changes a protector row may receive. */
export interface ProtectorPatch {
  status?: ProtectorStatus;
  /** Setting a key id clears any recorded destruction; setting null needs `destroyKeyId` when a key is going. */
  vaultKeyId?: string | null;
  /** The vault key a committed destroy is about to remove, so the outcome can be recorded against this row. */
  destroyKeyId?: string;
  accessProblem?: string | null;
}

/** Protectors. */
export interface ProtectorRepo {
  insert(protector: Protector): Promise<void>;
  byId(id: string): Promise<Protector | null>;
  listByInstance(instanceId: string): Promise<Protector[]>;
  update(id: string, patch: ProtectorPatch): Promise<void>;
  /** Records what the key store did with `destroyKeyId`; returns the protector it belonged to, if any. */
  recordDestruction(destroyKeyId: string, destruction: ProtectorDestruction): Promise<Protector | null>;
  /** Every protector that holds live key material in the vault (key-access health). */
  listWithVaultKey(): Promise<Protector[]>;
  /** The live (active or previous) protector with this fingerprint in any tenant, with its instance (one key, one instance). */
  liveByFingerprint(fingerprint: string): Promise<LiveProtector | null>;
  /**
   * Records a key-access change only if the stored state is still `expected` (one replica wins each
   * transition); `refused` marks a problem the key store answered with (see KeyAccess), never a null one.
   */
  compareAndSetAccessProblem(id: string, expected: string | null, next: string | null, refused: boolean): Promise<boolean>;
}

/** A live protector and where it is used; the instance name may be shown only within its own tenant. */
export interface LiveProtector {
  protector: Protector;
  tenantId: string;
  instanceName: string;
}

/** Wrapped DEK versions. */
export interface KeyringRepo {
  insert(rows: WrappedDek[]): Promise<void>;
  listByInstance(instanceId: string): Promise<WrappedDek[]>;
  listByProtector(instanceId: string, protectorId: string): Promise<WrappedDek[]>;
  deleteByProtector(instanceId: string, protectorId: string): Promise<void>;
  /** Deletes every wrapped copy of the instance's DEKs except those under `protectorId`. */
  deleteAllExcept(instanceId: string, protectorId: string): Promise<void>;
}

/** Result of a data-plane write guarded by the instance generation. */
export type GuardedWrite =
  | { outcome: 'ok'; existed: boolean }
  | { outcome: 'not_active'; state: InstanceState }
  | { outcome: 'stale'; generation: number };

/** Encrypted records; every data-plane call checks instance state and generation in the same statement. */
export interface RecordRepo {
  read(instanceId: string, key: string): Promise<RecordRead | null>;
  write(instanceId: string, generation: number, record: EncryptedRecord): Promise<GuardedWrite>;
  delete(instanceId: string, generation: number, key: string): Promise<GuardedWrite>;
  listKeys(instanceId: string, prefix: string, limit: number): Promise<{ state: InstanceState; generation: number; keys: string[] } | null>;
  all(instanceId: string): Promise<EncryptedRecord[]>;
  replaceAll(instanceId: string, records: EncryptedRecord[]): Promise<void>;
}

/** Requests. */
export interface RequestRepo {
  insert(request: Request): Promise<void>;
  byId(id: string): Promise<Request | null>;
  pending(tenantId: string): Promise<Request[]>;
  list(tenantId: string, includeClosed: boolean): Promise<Request[]>;
  pendingForInstance(instanceId: string): Promise<Request[]>;
  /** The request, row-locked for this transaction (k-of-n approvals are recorded one at a time under it). */
  lockById(id: string): Promise<Request | null>;
  /** Compare-and-swap from `pending`: returns the decided request, or null when it was no longer pending. */
  decide(id: string, to: RequestState, decidedBy: string | null, at: Date, reason: string | null): Promise<Request | null>;
  /** Pending requests (every tenant) whose deadline is at or before `before`: candidates for reminders. */
  pendingBefore(before: Date): Promise<Request[]>;
  /** Pending requests whose deadline is at or before `now`, row-locked and skipping rows other workers hold. */
  claimDue(now: Date, limit: number): Promise<Request[]>;
}

/** Approvals recorded on k-of-n requests before they reach their count. */
export interface RequestApprovalRepo {
  /** Records one; false (nothing written) when this admin already approved this request. */
  record(approval: RequestApproval): Promise<boolean>;
  /** A request's approvals, oldest first. */
  list(requestId: string): Promise<RequestApproval[]>;
}

/** The hash-chained audit log. */
export interface AuditRepo {
  /** Takes the chain lock for this transaction and returns the current head (seq 0 and the genesis hash when empty). */
  lockHead(): Promise<{ seq: number; hash: string }>;
  insert(entry: AuditEntry): Promise<void>;
  /** Entries in chain order, from `afterSeq` (exclusive), at most `limit`. */
  page(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  /** Entries for display, newest first. */
  recent(filter: { tenantId?: string; instanceName?: string }, limit: number): Promise<AuditEntry[]>;
  /** The recorded head: last seq and hash, stored apart from the entries so truncation is detectable. */
  anchor(): Promise<{ seq: number; hash: string } | null>;
}

/** The transactional outbox. */
export interface OutboxRepo {
  /** Inserts pending rows due at once; a row whose dedupeKey already exists is skipped. Returns how many were inserted. */
  insert(messages: OutboxMessage[]): Promise<number>;
  listForEvent(eventId: string): Promise<OutboxDelivery[]>;
  byId(id: string): Promise<OutboxDelivery | null>;
  /**
   * Claims up to `limit` due rows (pending and due, or sending with an expired lease), skipping rows
   * other workers hold: each becomes `sending`, attempts + 1, leased until `leaseUntil`. An update row
   * is due only once the row it updates is sent or failed.
   */
  claim(now: Date, leaseUntil: Date, limit: number): Promise<OutboxDelivery[]>;
  /** Marks the claimed attempt sent (compare-and-swap on state `sending` and the attempt number). */
  markSent(id: string, attempt: number, platformRef: Record<string, string>, at: Date): Promise<boolean>;
  /** Ends the claimed attempt unsent: back to `pending` at `retryAt`, `failed` for good, or `skipped` (pointless now). */
  markUnsent(id: string, attempt: number, error: string, next: { retryAt: Date } | { failed: true } | { skipped: true }): Promise<boolean>;
  /**
   * Sends a message's decision updates again (`request_decided` rows updating `updateOf` that were sent or are
   * being sent: back to `pending`, due at `at`); returns how many. A k-of-n count that reached the platform after
   * them had put the buttons back on a decided request.
   */
  resendDecisionUpdates(updateOf: string, at: Date): Promise<number>;
  /** Deliver-rows about a request for one admin (or one tenant-wide address) and channel, oldest first (what a decision updates). */
  forRequest(requestId: string, target: { adminId: string } | { address: string }, channel: Channel): Promise<OutboxDelivery[]>;
  /** Every deliver-row about a request (all admins, addresses and channels), oldest first: one query for a decision's fan-out. */
  forRequestAll(requestId: string): Promise<OutboxDelivery[]>;
  /** Rows that failed for good, newest first. */
  failed(tenantId: string | null, limit: number): Promise<OutboxDelivery[]>;
}

/** The journal of vault side effects. */
export interface JournalRepo {
  insert(entry: JournalEntry): Promise<void>;
  /** Compare-and-swap of the entry's state; false when it was not in `from`. */
  transition(id: string, from: JournalEntry['state'], to: JournalEntry['state'], at: Date): Promise<boolean>;
  byId(id: string): Promise<JournalEntry | null>;
  /** Entries recovery must finish: `open` and `compensating`, oldest first. */
  unfinished(): Promise<JournalEntry[]>;
}

/** Data-plane bearer tokens, stored as SHA-256 hashes only. */
export interface TokenRepo {
  insert(token: { id: string; instanceId: string; tokenHash: string; createdAt: Date }): Promise<void>;
  byHash(tokenHash: string): Promise<{ instanceId: string } | null>;
}

/** Database encryption keys (sealed under the instance DEK); the KV endpoint's per-request check is `HotPath.grant`. */
export interface DbKeyRepo {
  insert(rows: DbKey[]): Promise<void>;
  /** Every version of every key of the instance, by key id then version. */
  listByInstance(instanceId: string): Promise<DbKey[]>;
}

/** One-time page tokens, stored as SHA-256 hashes only. */
export interface PageTokenRepo {
  insert(token: PageToken & { tokenHash: string }): Promise<void>;
  byHash(tokenHash: string): Promise<PageToken | null>;
  /** Marks the token used (compare-and-swap on never used); false when it was used already. */
  markUsed(id: string, at: Date): Promise<boolean>;
  /** Counts a failed attempt and returns the new count. */
  recordFailure(id: string): Promise<number>;
}

/** Inbound platform deliveries already handled (Slack retries, Teams redeliveries). */
export interface HandledDeliveryRepo {
  /** Records the delivery id; false when it was recorded before (a retry to drop). */
  claim(id: string, at: Date): Promise<boolean>;
}

/** The alert channels the deployment delivers on: stored by `serve`, read by every process that writes alerts. */
export interface DeploymentChannelRepo {
  /** The recorded channels (empty before any server recorded its configuration). */
  list(): Promise<Channel[]>;
  /** Replaces the recorded set with exactly `channels`. */
  replace(channels: readonly Channel[], at: Date): Promise<void>;
}

/** What a digest reports about a tenant, from SQL aggregates (lists are capped, totals are not). */
export interface DigestFacts {
  instances: { total: number; active: number; locked: number; locking: number; customerKeyed: number };
  /** `summary`: what a settings change would change. */
  /** `approvals` only on k-of-n requests: recorded approvals (by admins still on the roster) and the count needed. */
  pending: Array<{ id: string; type: RequestType; instanceName: string | null; requestedBy: string | null; deadline: Date; summary?: string | null; approvals?: { count: number; required: number } }>;
  pendingTotal: number;
  locked: Array<{ instanceName: string; lockedAt: Date | null }>;
  oldestKeys: Array<{ instanceName: string; keyName: string; fingerprint: string; kind: ProtectorKind; createdAt: Date }>;
  recent: Array<{ id: string; type: RequestType; instanceName: string | null; state: RequestState; decidedAt: Date; decidedBy: string | null }>;
  recentTotal: number;
  failedAlerts: Array<{ channel: Channel; recipient: string | null; title: string; lastError: string | null; createdAt: Date }>;
  failedTotal: number;
}

/** Aggregates for the digest. */
export interface DigestRepo {
  /** Facts of one tenant: `since` bounds "recent changes", `limit` caps every list. */
  facts(tenantId: string, since: Date, limit: number): Promise<DigestFacts>;
}

/** All repositories, bound to one transaction. */
export interface Store {
  tenants: TenantRepo;
  admins: AdminRepo;
  instances: InstanceRepo;
  protectors: ProtectorRepo;
  keyring: KeyringRepo;
  records: RecordRepo;
  requests: RequestRepo;
  requestApprovals: RequestApprovalRepo;
  audit: AuditRepo;
  outbox: OutboxRepo;
  journal: JournalRepo;
  tokens: TokenRepo;
  dbKeys: DbKeyRepo;
  digest: DigestRepo;
  pageTokens: PageTokenRepo;
  handledDeliveries: HandledDeliveryRepo;
  inbox: InboxRepo;
  consoleAuth: ConsoleAuthRepo;
  cliTokens: CliTokenRepo;
  consoleViews: ConsoleViewRepo;
  deploymentChannels: DeploymentChannelRepo;
  offlineHooks: OfflineHookRepo;
  passkeys: PasskeyRepo;
  webauthnChallenges: WebAuthnChallengeRepo;
  /** The vault-derived key that tags audit entries; absent when the vault could not be reached (appending then fails). */
  auditKey?: AuditKey;
}

/** Runs a function in one database transaction; never nest calls and never call the vault inside. */
export interface UnitOfWork {
  run<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** The data plane's single-statement reads and writes, outside any transaction. */
  readonly hot: HotPath;
}

export type { AuditDraft };
export type { InboxRepo, ConsoleAuthRepo, CliTokenRepo, InstanceRow, InstanceQuery, AuditQuery, ConsoleViewRepo };
