import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../../../bot/slack/verify-slack-signature.js';
import { signV0 } from '../../support/fake-slack-platform.js';

// Slack's published example ("Verifying requests from Slack"): secret, timestamp, body and the signature Slack computed.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const at = (seconds: number) => new Date(seconds * 1000);
const check = (over: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({ signingSecret: SECRET, timestamp: TIMESTAMP, signature: EXPECTED, rawBody: BODY, now: at(Number(TIMESTAMP)), ...over });

describe('Slack v0 request signatures', () => {
  it('computes Slack\'s published example signature, as an independent HMAC does', () => {
    expect(slackSignature(SECRET, TIMESTAMP, BODY)).toBe(EXPECTED);
    expect(`v0=${createHmac('sha256', SECRET).update(`v0:${TIMESTAMP}:${BODY}`).digest('hex')}`).toBe(EXPECTED);
    expect(signV0(SECRET, TIMESTAMP, BODY)).toBe(EXPECTED);
  });

  it('verifies the published example with the injected clock at its timestamp, and up to 5 minutes either side', () => {
    expect(check()).toEqual({ ok: true });
    expect(check({ rawBody: Buffer.from(BODY) })).toEqual({ ok: true });
    expect(check({ now: at(Number(TIMESTAMP) + 300) })).toEqual({ ok: true });
    expect(check({ now: at(Number(TIMESTAMP) - 300) })).toEqual({ ok: true });
  });

  it('refuses a timestamp more than 5 minutes from the clock (replays), in either direction', () => {
    expect(check({ now: at(Number(TIMESTAMP) + 301) })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(check({ now: at(Number(TIMESTAMP) - 301) })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(check({ timestamp: '1531420618.5' })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses a tampered body, another secret, a changed timestamp, or a malformed signature', () => {
    expect(check({ rawBody: BODY.replace('text=', 'text=lock') })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ signingSecret: `${SECRET}0` })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ timestamp: '1531420619', now: at(1531420619) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ signature: EXPECTED.toUpperCase() })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ signature: EXPECTED.slice(0, -1) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ signature: `v1=${EXPECTED.slice(3)}` })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a request missing either header', () => {
    expect(check({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(check({ signature: '' })).toEqual({ ok: false, reason: 'missing_headers' });
  });
});
