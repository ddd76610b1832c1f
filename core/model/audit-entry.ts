import type { Transport } from './request.js';

/** The outcome recorded for a privileged command. */
export type AuditResult = 'ok' | 'refused' | 'failed';

/** Who did it, as the audit records it (never secrets). */
export interface AuditActor {
  kind: 'admin' | 'operator' | 'scheduler' | 'unknown';
  adminId: string | null;
  email: string | null;
  /** 'operator' when the CLI acted for the admin with --as. */
  impersonatedBy: 'operator' | null;
}

/** An audit entry before it is chained. */
export interface AuditDraft {
  at: Date;
  tenantId: string | null;
  actor: AuditActor;
  transport: Transport;
  action: string;
  instanceName: string | null;
  requestId: string | null;
  result: AuditResult;
  code: string | null;
  details: Record<string, string | number | boolean | null>;
}

/**
 * A chained, append-only audit entry: hash = SHA-256(prevHash || canonical entry), and tag = HMAC over
 * (seq, hash) under the vault-derived audit key. `tag` is null only on entries written before keyed audit.
 */
export interface AuditEntry extends AuditDraft {
  seq: number;
  prevHash: string;
  hash: string;
  tag: string | null;
}
