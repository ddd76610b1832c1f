import { DomainError } from '../errors.js';

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** Tenant and instance names: lowercase letters, digits and inner hyphens, 1–63 characters. */
export function requireName(kind: 'tenant' | 'instance', name: string): void {
  if (!NAME.test(name)) {
    throw new DomainError('invalid_input', `"${name.slice(0, 80)}" is not a valid ${kind} name: use 1–63 lowercase letters, digits and inner hyphens (e.g. crm-prod).`);
  }
}

/** A plausible e-mail address, lowercased. */
export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e) || e.length > 254) throw new DomainError('invalid_input', `"${email.slice(0, 80)}" is not an e-mail address (expected name@example.com).`);
  return e;
}
