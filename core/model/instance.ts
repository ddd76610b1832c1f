/** Lifecycle state of an instance. */
export type InstanceState = 'active' | 'locking' | 'locked';

/** Who manages the instance's protector. */
export type KeyMode = 'service' | 'customer';

/** A tenant's encrypted database. */
export interface Instance {
  id: string;
  tenantId: string;
  name: string;
  state: InstanceState;
  keyMode: KeyMode;
  protectorId: string;
  /** Bumped on every key or state change; data-plane reads and writes check it. */
  generation: number;
  lastKeyChangeAt: Date | null;
  /** While `locking` with an offline hook: the KV endpoint still serves database keys until then (null otherwise). */
  drainUntil?: Date | null;
  createdAt: Date;
}
