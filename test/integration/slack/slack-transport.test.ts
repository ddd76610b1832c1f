import { SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../bot/runtime/config.js';
import { createSlackTransport } from '../../../bot/slack/create-slack-transport.js';
import { createHarness, type Harness } from '../../support/engine-harness.js';

/** Which transport the configuration selects: none, HTTP (a route on the one server) or Socket Mode (SLACK_APP_TOKEN). */
describe('Slack transport selection', () => {
  let h: Harness;
  const build = (env: Record<string, string>) => createSlackTransport(loadConfig(env), { engine: h.engine, logger: h.logger, publicUrl: () => 'https://dualkey.example.com' });

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h?.dispose());

  it('is off without Slack credentials', () => {
    expect(build({})).toBeNull();
    expect(build({ SLACK_BOT_TOKEN: 'xoxb-1' })).toBeNull();
  });

  it('mounts POST /slack/events on the shared server when SLACK_SIGNING_SECRET is set', async () => {
    const slack = build({ SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1' })!;
    expect(slack.mode).toBe('http');
    expect(slack.routes.map((r) => [r.method, r.path.test('/slack/events')])).toEqual([['POST', true]]);
    await slack.stop();
  });

  it('uses Bolt\'s SocketModeReceiver instead, with no route, when SLACK_APP_TOKEN is set', async () => {
    const slack = build({ SLACK_APP_TOKEN: 'xapp-1-A0-1-abc', SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1' })!;
    expect(slack.mode).toBe('socket');
    expect(slack.routes).toEqual([]);
    expect((slack.app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
    await slack.stop();
  });

  it('warns at start-up that alert DMs need SLACK_BOT_TOKEN', () => {
    build({ SLACK_SIGNING_SECRET: 'secret' });
    expect(h.logger.lines.some((l) => l.includes('SLACK_BOT_TOKEN is not set'))).toBe(true);
  });
});
