import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../bot/runtime/node-cron-schedule.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { personalConversationId, postActivity, type TeamsUser } from '../support/fake-teams-activities.js';
import { cardOf, cardText, type ConnectorActivity } from '../support/fake-teams-connector.js';
import { startTeamsWorld, type TeamsWorld } from '../support/fake-teams-world.js';

type Json = Record<string, unknown>;
type CardAction = { type: string; verb?: string; title?: string; data?: Json };

/** k-of-n over real HTTP: Teams card clicks, the outbox updating every Teams card and Slack DM with the count, then the decision. */
describe('k-of-n approvals on Teams and Slack copies', () => {
  let w: TeamsWorld;
  let requestId: string;
  const cards = new Map<string, ConnectorActivity>();
  const actionsOf = (a: Json | undefined): CardAction[] => ((cardOf(a) as Json | undefined)?.actions as CardAction[] | undefined) ?? [];
  const click = async (user: TeamsUser, action: CardAction) => {
    const res = await postActivity(w.server.url, w.activities.cardAction(user, action.verb!, action.data));
    expect(res.status).toBe(200);
    return res.body as { value: Json };
  };

  beforeAll(async () => {
    w = await startTeamsWorld();
    for (const u of [w.users.ann, w.users.bob, w.users.cat]) expect((await postActivity(w.server.url, w.activities.conversationUpdate(u))).status).toBe(200);
    await w.engine.updateTenantSettings(w.tenantId, { approvalsKeyChange: 2 }, nodeCronSchedule());
    w.clock.advanceHours(1 / 60);
    requestId = (await w.engine.changeKey(w.onSlack(w.admins.ann), w.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } })).request.id;
    w.connector.reset();
    await w.server.scheduler.deliver();
    for (const name of ['ann', 'bob', 'cat'] as const) cards.set(name, w.connector.sent.find((s) => s.conversationId === personalConversationId(w.users[name]) && cardText(cardOf(s.activity)).includes(requestId))!);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('answers Bob\'s click with the count and the buttons, updates every copy to "1 of 2 approvals (Bob)", and Cat\'s click decides', async () => {
    expect(cardText(cardOf(cards.get('bob')!.activity))).toContain('0 of 2 approvals');
    const body = await click(w.users.bob, actionsOf(cards.get('bob')!.activity).find((a) => a.verb === 'approve')!);
    expect(cardText(body.value)).toContain('Your approval is recorded: 1 of 2 approvals.');
    expect(cardText(body.value)).toContain('1 of 2 approvals (Bob)');
    expect(((body.value.actions as CardAction[]) ?? []).map((a) => a.verb)).toEqual(['approve', 'rollback']);

    await w.server.scheduler.deliver();
    for (const name of ['ann', 'bob', 'cat'] as const) {
      const original = cards.get(name)!;
      const now = w.connector.activity(original.conversationId, original.activityId);
      expect(cardText(cardOf(now))).toMatch(/1 of 2 approvals: Bob <bob@example\.com> at /);
      expect(actionsOf(now).map((a) => a.verb)).toEqual(['approve', 'rollback']);
    }
    const slackUpdates = w.slackApi.callsOf('chat.update');
    expect(slackUpdates.length).toBeGreaterThan(0);
    expect(slackUpdates.every((c) => JSON.stringify(c.args.blocks).includes('1 of 2 approvals (Bob)'))).toBe(true);

    const decided = await click(w.users.cat, actionsOf(cards.get('cat')!.activity).find((a) => a.verb === 'approve')!);
    expect(cardText(decided.value)).toContain('approved by bob@example.com and cat@example.com');
    await w.server.scheduler.deliver();
    for (const name of ['ann', 'bob', 'cat'] as const) {
      const original = cards.get(name)!;
      const now = w.connector.activity(original.conversationId, original.activityId);
      expect(cardText(cardOf(now))).toContain('approved by bob@example.com and cat@example.com');
      expect(actionsOf(now)).toEqual([]);
    }
  });
});
