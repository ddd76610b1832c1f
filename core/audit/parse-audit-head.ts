import { DomainError } from '../errors.js';
import type { AuditHeadRef } from './verify-chain.js';

const HEAD = /^(?:audit\s*)?#?(\d{1,15})\s*[:·]\s*([0-9a-f]{8,64})$/i;

/** Reads a chain head as alerts show it: `1234:9f3a2c1b` (also `audit #1234 · 9f3a2c1b`), at least 8 hex digits of the hash. */
export function parseAuditHead(text: string): AuditHeadRef {
  const m = HEAD.exec(text.trim());
  if (!m || Number(m[1]) < 1) {
    throw new DomainError('invalid_input', `"${text.slice(0, 80)}" is not an audit head: give <seq>:<hash> as an alert or digest shows it, e.g. 1234:9f3a2c1b (at least 8 hex digits).`);
  }
  return { seq: Number(m[1]), hashPrefix: m[2]!.toLowerCase() };
}
