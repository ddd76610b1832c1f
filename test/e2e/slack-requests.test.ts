import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signV0 } from '../support/fake-slack-platform.js';
import { startSlackWorld, TEAM, USERS, type SlackWorld } from '../support/fake-slack-workspace.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';

type Json = Record<string, unknown>;

const blocksText = (reply: Json) => JSON.stringify(reply.blocks);

/** Polls until `fn` holds (work a listener does after its ack finishes shortly after the HTTP answer). */
async function eventually(fn: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Requests into /slack/events over real HTTP: authenticity, who may act, usage, redeliveries, and 429 on the way out. */
describe('Slack requests', () => {
  let w: SlackWorld;
  const form = (text: string) => new URLSearchParams({ team_id: TEAM, user_id: USERS.ann, command: '/dualkey', text, response_url: 'http://127.0.0.1:9/never', trigger_id: '1.2.3' }).toString();
  const now = () => String(Math.floor(w.clock.now().getTime() / 1000));

  beforeAll(async () => {
    w = await startSlackWorld();
  });
  afterAll(() => w?.close());

  describe('authenticity (401 before anything runs)', () => {
    it('refuses a bad signature, a timestamp older than 5 minutes, and missing headers with 401, and runs nothing', async () => {
      const auditBefore = (await w.engine.listAudit({}, 1000)).length;
      const body = form('status');
      const bad = await w.slack.post(body, 'application/x-www-form-urlencoded', { 'x-slack-signature': signV0('another-secret', now(), body) });
      const old = String(Math.floor(w.clock.now().getTime() / 1000) - 301);
      const stale = await w.slack.post(body, 'application/x-www-form-urlencoded', { 'x-slack-request-timestamp': old, 'x-slack-signature': signV0(w.signingSecret, old, body) });
      const noSignature = await w.slack.post(body, 'application/x-www-form-urlencoded', { 'x-slack-signature': '' });
      const noTimestamp = await w.slack.post(body, 'application/x-www-form-urlencoded', { 'x-slack-request-timestamp': '' });
      for (const res of [bad, stale, noSignature, noTimestamp]) {
        expect(res.status).toBe(401);
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'slack_signature_invalid' } });
      }
      expect((await w.engine.listAudit({}, 1000)).length).toBe(auditBefore);
    });

    it('accepts a timestamp 4 minutes old by the injected clock (not the wall clock)', async () => {
      const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
      const ts = String(Math.floor(w.clock.now().getTime() / 1000) - 240);
      const res = await w.slack.post(body, 'application/json', { 'x-slack-request-timestamp': ts, 'x-slack-signature': signV0(w.signingSecret, ts, body) });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ challenge: 'c-123' });
    });

    it('answers 400 to a signed body that is not a Slack command, interaction or event', async () => {
      expect((await w.slack.post('payload=%7Bnot-json', 'application/x-www-form-urlencoded')).status).toBe(400);
      expect((await w.slack.post('<xml/>', 'text/xml')).status).toBe(400);
    });
  });

  describe('acknowledgement', () => {
    it('acks a command with an empty 200 before its work is done, then answers through response_url', async () => {
      const release = w.api.holdResponses();
      try {
        const cmd = await w.slack.command(USERS.ann, 'status crm-prod');
        expect(cmd).toMatchObject({ status: 200, text: '' });
        expect(w.api.responsesTo(cmd.responseUrl)).toEqual([]);
        release();
        const reply = await w.api.waitForResponse(cmd.responseUrl);
        expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
        expect(blocksText(reply)).toContain('Status of crm-prod');
      } finally {
        release();
      }
    });
  });

  describe('who may act', () => {
    it('prints usage, privately, for help and for unknown input', async () => {
      const help = await w.slack.command(USERS.cat, 'help');
      const helpReply = await w.api.waitForResponse(help.responseUrl);
      expect(helpReply.response_type).toBe('ephemeral');
      expect(blocksText(helpReply)).toContain('/dualkey key upload &lt;instance&gt;');
      const unknown = await w.slack.command(USERS.cat, 'frobnicate crm-prod');
      const reply = await w.api.waitForResponse(unknown.responseUrl);
      expect(blocksText(reply)).toContain('unknown command');
      expect(blocksText(reply)).toContain('/dualkey approve &lt;request&gt; [reason]');
    });

    it('refuses an unlinked user privately and audits the attempt, including a known user id from another workspace', async () => {
      const stranger = await w.slack.command(USERS.stranger, 'status');
      const reply = await w.api.waitForResponse(stranger.responseUrl);
      expect(reply.response_type).toBe('ephemeral');
      expect(blocksText(reply)).toContain('identity_not_linked');
      expect(blocksText(reply)).toContain(`--slack ${TEAM}/${USERS.stranger}`);
      expect(blocksText(reply)).toContain(`dualkey admin link &lt;your e-mail&gt; --slack ${TEAM}/${USERS.stranger}`);
      const elsewhere = await w.slack.command(USERS.ann, 'status', 'T0OTHER');
      expect(blocksText(await w.api.waitForResponse(elsewhere.responseUrl))).toContain('identity_not_linked');
      const audit = (await w.engine.listAudit({}, 1000)).filter((e) => e.action === 'slack_unknown_user');
      expect(audit.map((e) => [e.result, e.code, e.transport, e.details.user, e.details.workspace])).toEqual(
        expect.arrayContaining([['refused', 'identity_not_linked', 'slack', USERS.stranger, TEAM], ['refused', 'identity_not_linked', 'slack', USERS.ann, 'T0OTHER']]),
      );
      expect((await w.engine.verifyAudit()).ok).toBe(true);
    });

    it('never audits or logs the text typed after /dualkey (someone may paste a secret there)', async () => {
      const typed = await w.slack.command(USERS.stranger, 'unlock crm-prod hunter2-not-a-place-for-passwords');
      await w.api.waitForResponse(typed.responseUrl);
      const linked = await w.slack.command(USERS.ann, 'unlock crm-prod hunter2-not-a-place-for-passwords');
      expect(blocksText(await w.api.waitForResponse(linked.responseUrl))).toContain('too many words');
      const audit = await w.engine.listAudit({}, 1000);
      expect(audit.find((e) => e.details.user === USERS.stranger && e.details.attempted === '/dualkey invalid')).toBeDefined();
      expect(JSON.stringify(audit)).not.toContain('hunter2');
      expect(w.logger.lines.join('\n')).not.toContain('hunter2');
    });

    it('refuses an admin acting outside their instances with not_admin, as the command layer does', async () => {
      await w.engine.createInstance(w.tenantId, 'hr-prod');
      const res = await w.slack.command(USERS.cat, 'key upload hr-prod');
      expect(blocksText(await w.api.waitForResponse(res.responseUrl))).toContain('not_admin');
    });
  });

  describe('platform retries and rate limits', () => {
    it('drops an X-Slack-Retry-Num redelivery of an event already handled, and handles a retry of one never seen', async () => {
      const handled = () => w.logger.lines.filter((l) => l.includes('was uninstalled')).length;
      expect((await w.slack.event({ type: 'app_uninstalled' }, 'Ev0DUP')).status).toBe(200);
      await eventually(() => handled() === 1);
      expect((await w.slack.event({ type: 'app_uninstalled' }, 'Ev0DUP', 1)).status).toBe(200);
      await eventually(() => w.logger.lines.some((l) => l.includes('dropped a redelivery') && l.includes('Ev0DUP')));
      expect(handled()).toBe(1);
      expect((await w.slack.event({ type: 'app_uninstalled' }, 'Ev0NEW', 2)).status).toBe(200);
      await eventually(() => handled() === 2);
    });

    it('holds a DM refused with 429 for the Retry-After time, then delivers it once', async () => {
      const before = w.api.callsOf('chat.postMessage').length;
      w.api.rateLimit('chat.postMessage', 1, 120);
      await w.engine.changeKey(w.ann, w.instance, { kind: 'upload', upload: { file: fixture('rsa-3072.pfx'), password: FIXTURE_PASSWORD } });
      expect(await w.server.scheduler.deliver()).toEqual({ sent: 2, retried: 1, failed: 0, skipped: 0 });
      const limited = w.api.calls.filter((c) => c.status === 429);
      expect(limited).toHaveLength(1);
      w.clock.advanceMs(119_000);
      expect(await w.server.scheduler.deliver()).toEqual({ sent: 0, retried: 0, failed: 0, skipped: 0 });
      w.clock.advanceMs(1_000);
      expect(await w.server.scheduler.deliver()).toEqual({ sent: 1, retried: 0, failed: 0, skipped: 0 });
      const delivered = w.api.callsOf('chat.postMessage').slice(before);
      expect(delivered.map((c) => c.args.channel).sort()).toEqual([USERS.ann, USERS.bob, USERS.cat].map((u) => `D${u.slice(1)}`));
      expect(delivered.filter((c) => c.args.channel === limited[0]!.args.channel)).toHaveLength(1);
    });
  });
});
