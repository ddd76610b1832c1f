import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { DomainError, type ErrorCode } from '../../../core/errors.js';

/** Password of every protected fixture (see test/fixtures/keyfiles/README.md). */
export const PASSWORD = 'correct horse battery staple';

const FIXTURES = fileURLToPath(new URL('../../fixtures/keyfiles/', import.meta.url));

/** Bytes of a committed fixture. */
export function fixture(name: string): Buffer {
  return readFileSync(FIXTURES + name);
}

/** Expected fingerprint computed here, independently of core's fingerprintSpki. */
export function expectedFingerprint(spkiDer: Buffer): string {
  const b64 = createHash('sha256').update(spkiDer).digest('base64');
  return `sha256:${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Secret strings that must never appear in a refusal: the password and slices of the fixture private key. */
function secrets(): string[] {
  const key = fixture('rsa-2048.key.der');
  const slice = key.subarray(200, 232);
  return [PASSWORD, slice.toString('hex'), slice.toString('base64'), slice.toString('base64url'), slice.toString('binary')];
}

/** Asserts that `err` is a DomainError with `code` and that neither message nor details leak a secret. */
export function expectRefusal(err: unknown, code: ErrorCode, extraSecrets: string[] = []): DomainError {
  expect(err).toBeInstanceOf(DomainError);
  const domainError = err as DomainError;
  expect(domainError.code).toBe(code);
  expect(domainError.message.length).toBeGreaterThan(20);
  const text = `${domainError.message} ${JSON.stringify(domainError.details)}`;
  for (const secret of [...secrets(), ...extraSecrets]) {
    expect(text.includes(secret)).toBe(false);
  }
  return domainError;
}

/** Runs `fn`, which must throw synchronously, and returns what it threw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/** Awaits `promise`, which must reject, and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal, but the call succeeded');
}
