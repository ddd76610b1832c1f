import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalConversationId, postActivity, TEAM_CHANNEL } from '../support/fake-teams-activities.js';
import { cardOf, cardText } from '../support/fake-teams-connector.js';
import { startTeamsWorld, type TeamsWorld } from '../support/fake-teams-world.js';

type Json = Record<string, unknown>;

/** The §5 grammar typed to the bot over the real /api/messages (development mode), replies read back from the fake connector. */
describe('Teams commands', () => {
  let w: TeamsWorld;

  beforeAll(async () => {
    w = await startTeamsWorld();
  });

  afterAll(async () => {
    await w?.close();
  });

  const send = async (activity: Json) => {
    w.connector.reset();
    const res = await postActivity(w.server.url, activity);
    expect(res.status).toBe(200);
    return [...w.connector.sent];
  };

  it('announces the development flag loudly at start-up', () => {
    expect(w.logger.lines.some((l) => l.includes('"level":"warn"') && l.includes('TEAMS_ALLOW_UNAUTHENTICATED=true') && l.includes('UNAUTHENTICATED REQUESTS'))).toBe(true);
  });

  it('welcomes a user who installs the app in their personal scope', async () => {
    const sent = await send(w.activities.installationUpdate(w.users.ann, 'add'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ conversationId: personalConversationId(w.users.ann), activity: { type: 'message' } });
    expect(String(sent[0]!.activity.text)).toContain('Type "help"');
  });

  it('answers whoami in the personal chat with a card naming the linked admin', async () => {
    const sent = await send(w.activities.message(w.users.ann, 'whoami'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.conversationId).toBe(personalConversationId(w.users.ann));
    const card = cardOf(sent[0]!.activity);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(cardText(card)).toContain('You are Ann <ann@example.com>');
    expect(cardText(card)).toContain(`teams ${w.users.ann.tenantId}/${w.users.ann.aadObjectId}`);
  });

  it('strips the @mention in a team channel and replies in that channel', async () => {
    const activity = w.activities.message(w.users.bob, 'status crm-prod', { channel: true });
    const sent = await send(activity);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.conversationId).toBe((activity.conversation as { id: string }).id);
    expect(sent[0]!.conversationId.startsWith(TEAM_CHANNEL.id)).toBe(true);
    expect(cardText(cardOf(sent[0]!.activity))).toContain('Status of crm-prod');
  });

  it('sends a one-time link asked for in a channel to the personal chat only, creating that chat when needed', async () => {
    const activity = w.activities.message(w.users.cat, 'key new crm-prod', { channel: true });
    const sent = await send(activity);
    expect(w.connector.createdConversations).toHaveLength(1);
    expect(w.connector.createdConversations[0]!.body).toMatchObject({ members: [{ id: w.users.cat.id }], tenantId: w.users.cat.tenantId });
    const [privately, inChannel] = sent;
    expect(privately!.conversationId).toBe(w.connector.createdConversations[0]!.conversationId);
    const link = (cardOf(privately!.activity)!.actions as Array<{ type: string; url: string }>)[0]!;
    expect(link.type).toBe('Action.OpenUrl');
    expect(link.url).toMatch(/^https:\/\/dualkey\.example\.com\/pages\/\S+$/);
    expect(inChannel!.conversationId).toBe((activity.conversation as { id: string }).id);
    expect(JSON.stringify(inChannel!.activity)).not.toContain('/pages/');
    expect(await w.conversations.find(w.users.cat.tenantId, w.users.cat.aadObjectId)).toMatchObject({ conversationId: w.connector.createdConversations[0]!.conversationId });
  });

  it('answers words outside the grammar with the usage', async () => {
    const sent = await send(w.activities.message(w.users.ann, 'destroy everything'));
    const text = cardText(cardOf(sent[0]!.activity));
    expect(text).toContain('unknown command "destroy"');
    expect(text).toContain('approve <request> [reason]');
  });

  it('refuses an unknown Teams user privately and audits teams_unknown_user / identity_not_linked', async () => {
    const sent = await send(w.activities.message(w.users.stranger, 'pending'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.conversationId).toBe(personalConversationId(w.users.stranger));
    expect(String(sent[0]!.activity.text)).toContain('identity_not_linked');
    expect(String(sent[0]!.activity.text)).toContain('dualkey admin link <your e-mail> --teams');
    const audit = await w.engine.listAudit({}, 20);
    const entry = audit.find((e) => e.action === 'teams_unknown_user');
    expect(entry).toMatchObject({ transport: 'teams', result: 'refused', code: 'identity_not_linked', details: { aadObjectId: w.users.stranger.aadObjectId } });
  });

  it('drops a redelivered message: one reply for two deliveries of the same activity', async () => {
    const activity = w.activities.message(w.users.ann, 'pending');
    const first = await send(activity);
    const again = await send(activity);
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);
  });

  it('forgets the conversation when the user uninstalls the app from their personal scope', async () => {
    await send(w.activities.installationUpdate(w.users.bob, 'add'));
    expect(await w.conversations.find(w.users.bob.tenantId, w.users.bob.aadObjectId)).not.toBeNull();
    await send(w.activities.installationUpdate(w.users.bob, 'remove'));
    expect(await w.conversations.find(w.users.bob.tenantId, w.users.bob.aadObjectId)).toBeNull();
  });

  it('refuses a body that is not a JSON activity with 400', async () => {
    const res = await fetch(`${w.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(400);
  });
});
