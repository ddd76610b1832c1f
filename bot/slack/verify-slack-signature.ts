import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack rejects requests whose timestamp is more than five minutes from now (replay protection). */
export const SLACK_MAX_SKEW_SECONDS = 300;

/** Why a request failed verification, or ok. */
export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/** What verification needs: the signing secret, both headers, the raw body, and the injected clock's now. */
export interface SignedRequest {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer | string;
  now: Date;
}

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the signing secret. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** Verifies a request from Slack: both headers present, timestamp within 5 minutes of `now`, signature equal in constant time. */
export function verifySlackSignature(r: SignedRequest): SignatureCheck {
  if (!r.timestamp || !r.signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(r.timestamp)) return { ok: false, reason: 'stale_timestamp' };
  if (Math.abs(r.now.getTime() / 1000 - Number(r.timestamp)) > SLACK_MAX_SKEW_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(slackSignature(r.signingSecret, r.timestamp, r.rawBody));
  const given = Buffer.from(r.signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
