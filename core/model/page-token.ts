import type { Transport } from './request.js';

/** What a one-time page lets its admin do. */
export type PageOperation = 'key_new' | 'key_upload' | 'lock' | 'unlock' | 'cli_token';

/** A one-time link to a secrets page: bound to one admin, one operation and one instance. */
export interface PageToken {
  id: string;
  tenantId: string;
  adminId: string;
  operation: PageOperation;
  /** The instance the link acts on; '' for `cli_token`, which concerns the admin, not an instance. */
  instanceName: string;
  transport: Transport;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  failedAttempts: number;
}
