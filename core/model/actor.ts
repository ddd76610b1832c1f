import type { Admin } from './admin.js';
import type { Transport } from './request.js';

/** Who is acting: an admin through a transport, possibly impersonated by the operator's CLI. */
export interface Actor {
  admin: Admin;
  transport: Transport;
  /** Set when the operator acts for the admin with `--as`. */
  impersonatedBy?: 'operator';
  /** A passkey assertion verified for this one decision; set only by core's step-up (the engine strips it from transports' actors). */
  stepUp?: { credentialId: string };
}

/** The operator (CLI without --as) or the scheduler; not an admin. */
export interface SystemActor {
  kind: 'operator' | 'scheduler';
  transport: Transport;
}
