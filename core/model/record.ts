/** An encrypted record of instance data (AES-256-GCM). */
export interface EncryptedRecord {
  key: string;
  ciphertext: Buffer;
  nonce: Buffer;
  tag: Buffer;
  dekVersion: number;
  updatedAt: Date;
}

/** What a read needs to decrypt a record: the caller already knows its key, and a read does not report its age. */
export type SealedRecord = Pick<EncryptedRecord, 'ciphertext' | 'nonce' | 'tag' | 'dekVersion'>;

/** What a data-plane read sees: the instance's state and generation in the same query as the record. */
export interface RecordRead {
  state: 'active' | 'locking' | 'locked';
  generation: number;
  record: SealedRecord | null;
}
