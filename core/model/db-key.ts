/** One version of a database encryption key (what MariaDB's key management plugin fetches), sealed under the instance DEK. */
export interface DbKey {
  instanceId: string;
  /** MariaDB key id (1 is mandatory; 2 is used for temporary files when present). */
  keyId: number;
  /** 1, 2, …: every version stays fetchable for as long as the instance exists. */
  version: number;
  ciphertext: Buffer;
  nonce: Buffer;
  tag: Buffer;
  dekVersion: number;
  createdAt: Date;
}

/** What a data-plane token grants right now, read in one query per request. */
export interface TokenGrant {
  instanceId: string;
  tenantId: string;
  name: string;
  state: 'active' | 'locking' | 'locked';
  generation: number;
  /** While `locking` with an offline hook: the end of the drain window during which keys are still served. */
  drainUntil: Date | null;
  /** SHA-256 (hex) of the token as stored, for a constant-time comparison with the presented one. */
  tokenHash: string;
}
