import { DomainError } from '../errors.js';
import { normalizePersonText } from './normalize-person-text.js';

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** Tenant and instance names: lowercase letters, digits and inner hyphens, 1–63 characters. */
export function requireName(kind: 'tenant' | 'instance', name: string): void {
  if (!NAME.test(name)) {
    throw new DomainError('invalid_input', `"${name.slice(0, 80)}" is not a valid ${kind} name: use 1–63 lowercase letters, digits and inner hyphens (e.g. crm-prod).`);
  }
}

/** A plausible e-mail address, NFKC-normalised and lowercased; invisible characters and mixed-script words are refused. */
export function normalizeEmail(email: string): string {
  const e = normalizePersonText(email, 'e-mail address').toLowerCase();
  if (!EMAIL.test(e) || e.length > 254) throw new DomainError('invalid_input', `"${email.slice(0, 80)}" is not an e-mail address (expected name@example.com).`);
  return e;
}

/** An admin's display name, NFKC-normalised; empty names, invisible characters and mixed-script words are refused. */
export function normalizeDisplayName(name: string): string {
  const n = normalizePersonText(name, 'display name');
  if (!n) throw new DomainError('invalid_input', 'Give the admin a display name (--name).');
  if (n.length > 200) throw new DomainError('invalid_input', 'The display name is longer than 200 characters; shorten it.');
  return n;
}
