import { formatUtc } from '../../../core/alerts/alert-messages.js';
import type { RequestState } from '../../../core/model/request.js';
import { html, type SafeHtml } from '../pages/html.js';

export { formatUtc };

/** "2 d 3 h", "45 min": how long until `at` (or "now" when passed). */
export function timeLeft(now: Date, at: Date): string {
  const ms = at.getTime() - now.getTime();
  if (ms <= 0) return 'now';
  const min = Math.ceil(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "12 days", "3 hours": how old something is. */
export function age(now: Date, since: Date): string {
  const h = Math.floor((now.getTime() - since.getTime()) / 3_600_000);
  if (h < 1) return 'under an hour';
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'}`;
  const d = Math.floor(h / 24);
  return `${d} day${d === 1 ? '' : 's'}`;
}

const INSTANCE_STATE: Record<string, [string, string]> = { active: ['ok', 'active'], locking: ['warn', 'locking'], locked: ['bad', 'locked'] };

/** An instance state as text and colour together. */
export function stateBadge(state: string): SafeHtml {
  const [kind, text] = INSTANCE_STATE[state] ?? ['info', state];
  return html`<span class="badge ${kind}">${text}</span>`;
}

const REQUEST_STATE: Record<RequestState, [string, string]> = {
  pending: ['warn', 'pending'], approved: ['ok', 'approved'], rolled_back: ['info', 'rolled back'], rejected: ['info', 'rejected'],
  expired_rolled_back: ['bad', 'expired, rolled back'], expired_kept: ['warn', 'expired, kept'], expired: ['bad', 'expired'],
};

/** A request state as text and colour together. */
export function requestBadge(state: RequestState): SafeHtml {
  const [kind, text] = REQUEST_STATE[state] ?? ['info', state];
  return html`<span class="badge ${kind}">${text}</span>`;
}

/** "key change", "admin change", "lock". */
export const typeLabel = (type: string) => type.replace(/_/g, ' ');
