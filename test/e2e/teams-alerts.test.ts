import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { personalConversationId, postActivity, type TeamsUser } from '../support/fake-teams-activities.js';
import { cardOf, cardText, type ConnectorActivity } from '../support/fake-teams-connector.js';
import { startTeamsWorld, type TeamsWorld } from '../support/fake-teams-world.js';

type Json = Record<string, unknown>;
type CardAction = { type: string; verb?: string; title?: string; data?: Json };

/**
 * Issue 5 acceptance, end to end over HTTP: Teams activities posted to the real server's /api/messages
 * (development mode), alerts delivered by the outbox to a fake Bot Connector, Slack copies to a fake Web API.
 */
describe('Teams alerts: a key change requested on Slack, decided on Teams', () => {
  let w: TeamsWorld;
  let requestId: string;
  const cards = new Map<string, ConnectorActivity>();

  beforeAll(async () => {
    w = await startTeamsWorld();
    // Ann installs the app, Bob's personal chat starts with a conversationUpdate, Cat writes once; Dan never does.
    expect((await postActivity(w.server.url, w.activities.installationUpdate(w.users.ann, 'add'))).status).toBe(200);
    expect((await postActivity(w.server.url, w.activities.conversationUpdate(w.users.bob))).status).toBe(200);
    expect((await postActivity(w.server.url, w.activities.message(w.users.cat, 'whoami'))).status).toBe(200);
    w.connector.reset();
  });

  afterAll(async () => {
    await w?.close();
  });

  const actionsOf = (a: ConnectorActivity | Json | undefined): CardAction[] => ((cardOf('activity' in (a ?? {}) ? (a as ConnectorActivity).activity : (a as Json)) as Json | undefined)?.actions as CardAction[] | undefined) ?? [];
  const click = async (user: TeamsUser, action: CardAction) => {
    const res = await postActivity(w.server.url, w.activities.cardAction(user, action.verb!, action.data));
    expect(res.status).toBe(200);
    return res.body as { statusCode: number; type: string; value: Json | string };
  };

  it('stores a conversation reference from installationUpdate, conversationUpdate and messages', async () => {
    for (const name of ['ann', 'bob', 'cat'] as const) {
      const stored = await w.conversations.find(w.users[name].tenantId, w.users[name].aadObjectId);
      expect(stored).toMatchObject({ conversationId: personalConversationId(w.users[name]), serviceUrl: w.connector.serviceUrl, userId: w.users[name].id });
    }
    expect(await w.conversations.find(w.users.dan.tenantId, w.users.dan.aadObjectId)).toBeNull();
  });

  it('sends every reachable Teams-linked admin an Adaptive Card 1.5 with Action.Execute Approve / Roll back', async () => {
    const r = await w.engine.changeKey(w.onSlack(w.admins.ann), w.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    requestId = r.request.id;
    await w.server.scheduler.deliver();
    for (const name of ['ann', 'bob', 'cat'] as const) {
      const sent = w.connector.sent.filter((s) => s.conversationId === personalConversationId(w.users[name]));
      expect(sent).toHaveLength(1);
      const card = cardOf(sent[0]!.activity)!;
      expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
      expect(cardText(card)).toContain(`Key changed on ${w.instance} by ann@example.com`);
      expect(actionsOf(sent[0]).map((a) => [a.type, a.verb, a.title])).toEqual([['Action.Execute', 'approve', 'Approve'], ['Action.Execute', 'rollback', 'Roll back']]);
      expect(actionsOf(sent[0])[0]!.data).toMatchObject({ dualkey: 'decide', requestId });
      cards.set(name, sent[0]!);
    }
    // Slack gets its copies through the same outbox (Ann and Bob are linked there too).
    expect(w.slackApi.callsOf('chat.postMessage').length).toBe(2);
  });

  it('reports an admin the bot cannot reach in the digest instead of skipping them', async () => {
    const rows = await w.engine.deps.uow.run((s) => s.outbox.forRequest(requestId, { adminId: w.admins.dan.id }, 'teams'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'failed', lastError: 'no Teams conversation with dan@example.com: the admin has not installed or messaged the bot' });
    const digest = await w.engine.buildDigest(w.tenantId);
    expect(digest.facts.failedAlerts.some((a) => a.channel === 'teams' && a.recipient === 'dan@example.com' && a.lastError?.includes('has not installed'))).toBe(true);
  });

  it("refuses the requester's own Approve click on Teams (one principal across Slack and Teams)", async () => {
    const approve = actionsOf(cards.get('ann')).find((a) => a.verb === 'approve')!;
    const body = await click(w.users.ann, approve);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(body.value as Json)).toContain('Refused (self_approval)');
    expect((await w.engine.listRequests(w.tenantId, false)).map((r) => r.id)).toContain(requestId);
  });

  it('asks to confirm a roll back, and Cancel puts the alert back', async () => {
    const rollback = actionsOf(cards.get('bob')).find((a) => a.verb === 'rollback')!;
    const confirm = await click(w.users.bob, rollback);
    expect(cardText(confirm.value as Json)).toContain(`Roll back the key change on ${w.instance}?`);
    const buttons = ((confirm.value as Json).actions as CardAction[]).map((a) => [a.verb, a.title]);
    expect(buttons).toEqual([['rollback', 'Yes, roll back'], ['cancel', 'Cancel']]);
    const cancelled = await click(w.users.bob, ((confirm.value as Json).actions as CardAction[])[1]!);
    expect(((cancelled.value as Json).actions as CardAction[]).map((a) => a.verb)).toEqual(['approve', 'rollback']);
    expect((await w.engine.listRequests(w.tenantId, false)).map((r) => r.id)).toContain(requestId);
  });

  it('approving on Teams by another admin answers with the decided card, then every Teams card and Slack DM is updated in place', async () => {
    const approve = actionsOf(cards.get('bob')).find((a) => a.verb === 'approve')!;
    const body = await click(w.users.bob, approve);
    expect(cardText(body.value as Json)).toContain('approved by bob@example.com');
    expect((body.value as Json).actions).toBeUndefined();
    expect((await w.engine.listRequests(w.tenantId, true)).find((r) => r.id === requestId)?.state).toBe('approved');

    await w.server.scheduler.deliver();
    for (const name of ['ann', 'bob', 'cat'] as const) {
      const original = cards.get(name)!;
      expect(w.connector.updated.filter((u) => u.conversationId === original.conversationId && u.activityId === original.activityId)).toHaveLength(1);
      const now = w.connector.activity(original.conversationId, original.activityId);
      expect(cardText(cardOf(now))).toContain('approved by bob@example.com');
      expect(actionsOf(now)).toEqual([]);
    }
    const updates = w.slackApi.callsOf('chat.update');
    // Ann's refused self-approval earlier was announced to every admin as its own message (no buttons, never updated).
    const posts = w.slackApi.callsOf('chat.postMessage');
    const refusedNotices = posts.filter((c) => JSON.stringify(c.args.blocks).includes('self_approval'));
    expect(refusedNotices.map((c) => c.args.channel).sort()).toEqual(['D0ANN', 'D0BOB']);
    expect(updates.map((c) => c.args.channel).sort()).toEqual(posts.filter((c) => !refusedNotices.includes(c)).map((c) => c.args.channel).sort());
    expect(updates.every((c) => JSON.stringify(c.args.blocks).includes('approved'))).toBe(true);
  });

  it('retries a throttled connector (429 with Retry-After) through the outbox, then delivers', async () => {
    const r = await w.engine.changeKey(w.onSlack(w.admins.bob), 'hr-prod', { kind: 'upload', upload: { file: fixture('rsa-2048-other.pfx'), password: FIXTURE_PASSWORD } });
    w.connector.failNext({ status: 429, retryAfter: '120' }, { status: 502 }, { status: 504 });
    const first = await w.server.scheduler.deliver();
    expect(first.retried).toBeGreaterThanOrEqual(3);
    const rows = async (name: 'ann' | 'bob' | 'cat') => (await w.engine.deps.uow.run((s) => s.outbox.forRequest(r.request.id, { adminId: w.admins[name].id }, 'teams')))[0]!;
    const throttled = (await Promise.all((['ann', 'bob', 'cat'] as const).map(rows))).filter((row) => row.lastError?.startsWith('Teams connector HTTP'));
    expect(throttled.map((row) => row.lastError?.slice(0, 24)).sort()).toEqual(['Teams connector HTTP 429', 'Teams connector HTTP 502', 'Teams connector HTTP 504']);
    const after429 = throttled.find((row) => row.lastError?.includes('429'))!;
    expect(after429.nextAttemptAt.getTime() - w.clock.now().getTime()).toBeGreaterThanOrEqual(120_000);
    w.clock.advanceHours(1);
    await w.server.scheduler.deliver();
    for (const name of ['ann', 'bob', 'cat'] as const) expect((await rows(name)).state).toBe('sent');
  });
});
