import type { Decision } from '../lifecycle/decide-request.js';
import type { Actor } from '../model/actor.js';
import type { RequestType } from '../model/request.js';
import type { TenantSettings } from '../model/tenant.js';

/** The decisions a tenant can require a passkey step-up for (`tenant set --step-up passkey --step-up-operations …`). */
export const STEP_UP_OPERATIONS = ['approve_key_change', 'approve_lock', 'rollback', 'approve_roster', 'unlock'] as const;

/** One operation the step-up policy covers. */
export type StepUpOperation = (typeof STEP_UP_OPERATIONS)[number];

/** The step-up operation a decision on a request is, or null for decisions step-up never covers (reject, settings). */
export function stepUpOperationOf(type: RequestType, decision: Decision): StepUpOperation | null {
  if (type === 'key_change') return decision === 'approve' ? 'approve_key_change' : decision === 'rollback' ? 'rollback' : null;
  if (type === 'lock' && decision === 'approve') return 'approve_lock';
  if (type === 'admin_change' && decision === 'approve') return 'approve_roster';
  return null;
}

/** The operations the tenant requires a passkey for (none: step-up off). */
export function stepUpOperations(settings: TenantSettings): StepUpOperation[] {
  return (settings.stepUp ?? []).filter((op): op is StepUpOperation => (STEP_UP_OPERATIONS as readonly string[]).includes(op));
}

/** True when the tenant requires a passkey assertion for this decision on this request type. */
export function stepUpRequired(settings: TenantSettings, type: RequestType, decision: Decision): boolean {
  const op = stepUpOperationOf(type, decision);
  return op !== null && stepUpOperations(settings).includes(op);
}

/** What an unlock's step-up challenge is bound to: this instance, in its current (locked) generation. */
export function unlockPurpose(instanceId: string, generation: number): string {
  return `unlock:${instanceId}:${generation}`;
}

/** What a step-up challenge is bound to: this request, this decision, this deadline (a re-timed request needs a new one). */
export function stepUpPurpose(requestId: string, decision: Decision, deadline: Date): string {
  return `decide:${requestId}:${decision}:${deadline.toISOString()}`;
}

/** What the decision's audit entry records of a step-up: that one was used, and with which credential. */
export function stepUpDetails(actor: Actor): Record<string, string | boolean> {
  return actor.stepUp ? { stepUp: true, stepUpCredential: actor.stepUp.credentialId } : {};
}
