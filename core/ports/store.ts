import type { Admin, Identity, Platform } from '../model/admin.js';
import type { AuditDraft, AuditEntry } from '../model/audit-entry.js';
import type { Instance, InstanceState, KeyMode } from '../model/instance.js';
import type { JournalEntry } from '../model/journal-entry.js';
import type { OutboxMessage } from '../model/outbox-message.js';
import type { Protector, ProtectorStatus, WrappedDek } from '../model/protector.js';
import type { EncryptedRecord, RecordRead } from '../model/record.js';
import type { Request, RequestState } from '../model/request.js';
import type { Tenant, TenantSettings } from '../model/tenant.js';

/** Tenants. */
export interface TenantRepo {
  insert(tenant: Tenant): Promise<void>;
  byId(id: string): Promise<Tenant | null>;
  byName(name: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  setKek(id: string, vaultKeyId: string, publicKey: Buffer): Promise<void>;
  updateSettings(id: string, settings: TenantSettings): Promise<void>;
}

/** Admins and their linked chat identities. */
export interface AdminRepo {
  insert(admin: Admin): Promise<void>;
  byId(id: string): Promise<Admin | null>;
  byEmail(tenantId: string, email: string): Promise<Admin | null>;
  byIdentity(platform: Platform, workspace: string, userId: string): Promise<Admin | null>;
  list(tenantId: string): Promise<Admin[]>;
  addIdentity(adminId: string, identity: Identity): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Changes an instance row may receive. */
export interface InstancePatch {
  state?: InstanceState;
  keyMode?: KeyMode;
  protectorId?: string;
  lastKeyChangeAt?: Date | null;
}

/** Instances. */
export interface InstanceRepo {
  insert(instance: Instance): Promise<void>;
  byId(id: string): Promise<Instance | null>;
  byName(tenantId: string, name: string): Promise<Instance | null>;
  list(tenantId: string): Promise<Instance[]>;
  /** Reads the row with a row lock held until the transaction ends. */
  lockById(id: string): Promise<Instance | null>;
  /** Applies the patch and bumps the generation when the generation still equals `expected`; returns the new row or null. */
  update(id: string, expectedGeneration: number, patch: InstancePatch): Promise<Instance | null>;
}

/** Changes a protector row may receive. */
export interface ProtectorPatch {
  status?: ProtectorStatus;
  vaultKeyId?: string | null;
}

/** Protectors. */
export interface ProtectorRepo {
  insert(protector: Protector): Promise<void>;
  byId(id: string): Promise<Protector | null>;
  listByInstance(instanceId: string): Promise<Protector[]>;
  update(id: string, patch: ProtectorPatch): Promise<void>;
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
  /** Compare-and-swap from `pending`: returns the decided request, or null when it was no longer pending. */
  decide(id: string, to: RequestState, decidedBy: string | null, at: Date, reason: string | null): Promise<Request | null>;
  /** Pending requests whose deadline is at or before `now`, row-locked and skipping rows other workers hold. */
  claimDue(now: Date, limit: number): Promise<Request[]>;
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
  insert(messages: OutboxMessage[]): Promise<void>;
  listForEvent(eventId: string): Promise<OutboxMessage[]>;
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

/** All repositories, bound to one transaction. */
export interface Store {
  tenants: TenantRepo;
  admins: AdminRepo;
  instances: InstanceRepo;
  protectors: ProtectorRepo;
  keyring: KeyringRepo;
  records: RecordRepo;
  requests: RequestRepo;
  audit: AuditRepo;
  outbox: OutboxRepo;
  journal: JournalRepo;
  tokens: TokenRepo;
}

/** Runs a function in one database transaction; never nest calls and never call the vault inside. */
export interface UnitOfWork {
  run<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

export type { AuditDraft };
