import type { TokenGrant } from '../model/db-key.js';
import type { EncryptedRecord, RecordRead } from '../model/record.js';
import type { GuardedWrite } from './store.js';

/**
 * The data plane's per-request statements. Each call is ONE autocommit statement (no BEGIN/COMMIT around
 * it), prepared where the driver allows, that reads the instance's state and generation itself: a read
 * never sees a stale generation unnoticed, and a write racing a state change waits for that change's
 * transaction and then sees the new state, so no write commits after a lock does (DESIGN §4, I2).
 */
export interface HotPath {
  /** The instance a data-plane token (by its SHA-256 hex) grants, with its state, generation and drain window; null if none. */
  grant(tokenHash: string): Promise<TokenGrant | null>;
  /** The record and, from the same statement, the instance's state and generation; null if the instance does not exist. */
  readRecord(instanceId: string, key: string): Promise<RecordRead | null>;
  /** Upserts the record only if the instance is active at `generation`; `instance_not_found` if it does not exist. */
  writeRecord(instanceId: string, generation: number, record: EncryptedRecord): Promise<GuardedWrite>;
}
