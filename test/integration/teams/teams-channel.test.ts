import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Admin } from '../../../core/model/admin.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import type { OutgoingAlert } from '../../../core/ports/alert-channel.js';
import { loadConfig } from '../../../bot/runtime/config.js';
import { createTeamsApp } from '../../../bot/teams/teams-app.js';
import { TeamsChannel } from '../../../bot/teams/teams-channel.js';
import { TeamsConversationRepo } from '../../../bot/teams/teams-conversation-repo.js';
import { createHarness, seedTenant, type Harness } from '../../support/engine-harness.js';
import { TEAMS_BOT, teamsUser, type TeamsUser } from '../../support/fake-teams-activities.js';
import { cardOf, FakeTeamsConnector } from '../../support/fake-teams-connector.js';

const TENANT = '99999999-8888-7777-6666-555555555555';

const message: AlertMessage = {
  event: 'key_change_opened', title: 'Key changed on crm-prod by ann@example.com', facts: [['Instance', 'crm-prod']],
  actions: [{ id: 'approve', label: 'Approve', style: 'primary', requestId: 'req-1', confirm: null }], status: null, requestId: 'req-1', instanceName: 'crm-prod',
};

/** The Teams channel against the fake Bot Connector, with conversation references in a real test database. */
describe('TeamsChannel', () => {
  let h: Harness;
  let connector: FakeTeamsConnector;
  let conversations: TeamsConversationRepo;
  let channel: TeamsChannel;
  let bob: Admin;
  let user: TeamsUser;
  let n = 0;

  beforeAll(async () => {
    h = await createHarness();
    const s = await seedTenant(h);
    connector = await FakeTeamsConnector.start();
    user = teamsUser(TENANT, 'Bob');
    await h.engine.deps.uow.run((store) => store.admins.addIdentity(s.bob.admin.id, { platform: 'teams', workspace: TENANT, userId: user.aadObjectId }));
    bob = await h.engine.adminByEmail(s.tenant.id, 'bob@example.com');
    conversations = new TeamsConversationRepo(h.db.database);
    const { app } = createTeamsApp(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'true' }), h.logger);
    channel = new TeamsChannel();
    channel.attach({ app, conversations, clock: h.clock });
  });

  afterAll(async () => {
    await connector?.close();
    await h?.dispose();
  });

  beforeEach(() => connector.reset());

  const alert = (recipient: Admin = bob): OutgoingAlert => ({ idempotencyKey: `row-${++n}`, recipient, address: null, message, uncertain: false });
  const remember = (conversationId: string | null, serviceUrl = connector.serviceUrl) =>
    conversations.remember({ teamsTenantId: TENANT, aadObjectId: user.aadObjectId, userId: user.id, botId: TEAMS_BOT.id, serviceUrl, conversationId }, h.clock.now());

  it('refuses for good, naming the admin, when the bot has no conversation with them', async () => {
    const result = await channel.deliver(alert());
    expect(result).toEqual({ ok: false, retryable: false, retryAfterMs: null, error: 'no Teams conversation with bob@example.com: the admin has not installed or messaged the bot' });
  });

  it('opens the personal conversation first when the user was only seen in a team channel, and remembers it', async () => {
    await remember(null);
    const result = await channel.deliver(alert());
    expect(connector.createdConversations).toHaveLength(1);
    expect(connector.createdConversations[0]!.body).toMatchObject({ bot: { id: TEAMS_BOT.id }, members: [{ id: user.id }], tenantId: TENANT, isGroup: false });
    const conversationId = connector.createdConversations[0]!.conversationId;
    expect(result).toEqual({ ok: true, platformRef: { conversationId, activityId: connector.sent[0]!.activityId, serviceUrl: connector.serviceUrl } });
    expect((await conversations.find(TENANT, user.aadObjectId))?.conversationId).toBe(conversationId);
  });

  it('posts the card to the stored personal conversation, and a later channel sighting keeps that conversation', async () => {
    await remember('a:1stored');
    await remember(null);
    const result = await channel.deliver(alert());
    expect(connector.createdConversations).toHaveLength(0);
    expect(connector.sent[0]!.conversationId).toBe('a:1stored');
    expect(cardOf(connector.sent[0]!.activity)).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(result.ok).toBe(true);
  });

  it('updates the earlier card in place (PUT) and keeps its reference', async () => {
    const sent = await channel.deliver(alert());
    if (!sent.ok) throw new Error(sent.error);
    const decided = { ...message, title: 'Key change on crm-prod approved by cat@example.com', actions: [], status: 'approved' };
    const updated = await channel.update({ ...alert(), message: decided }, sent.platformRef);
    expect(updated).toEqual({ ok: true, platformRef: sent.platformRef });
    expect(connector.updated).toHaveLength(1);
    expect(connector.updated[0]).toMatchObject({ conversationId: sent.platformRef.conversationId, activityId: sent.platformRef.activityId });
    expect(cardOf(connector.updated[0]!.activity)!.actions).toBeUndefined();
  });

  it('refuses for good an update of an activity the connector does not know (404)', async () => {
    const result = await channel.update(alert(), { conversationId: 'a:1stored', activityId: 'gone', serviceUrl: connector.serviceUrl });
    expect(result).toMatchObject({ ok: false, retryable: false, error: 'Teams connector HTTP 404: ActivityNotFound Unknown activity' });
  });

  it.each([
    [429, '30', 30_000],
    [412, undefined, null],
    [502, undefined, null],
    [504, '5', 5_000],
    [503, undefined, null],
    [401, undefined, null],
  ])('retries HTTP %i (Retry-After %s)', async (status, retryAfter, expected) => {
    await remember('a:1stored');
    connector.failNext({ status, ...(retryAfter ? { retryAfter } : {}) });
    const result = await channel.deliver(alert());
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: expected, error: `Teams connector HTTP ${status}: Throttled fake failure ${status}` });
  });

  it('reads a Retry-After given as an HTTP date against the injected clock', async () => {
    connector.failNext({ status: 429, retryAfter: new Date(h.clock.now().getTime() + 90_000).toUTCString() });
    const result = await channel.deliver(alert());
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 90_000 });
  });

  it.each([403, 404, 400])('does not retry HTTP %i', async (status) => {
    connector.failNext({ status });
    expect(await channel.deliver(alert())).toMatchObject({ ok: false, retryable: false, retryAfterMs: null });
  });

  it('retries when the connector cannot be reached', async () => {
    await remember('a:1stored', 'http://127.0.0.1:1/teams');
    const result = await channel.deliver(alert());
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^Teams connector unreachable \(ECONNREFUSED\)$/) });
    await remember('a:1stored');
  });

  it('asks to be retried from the server when it was never attached (e.g. the CLI)', async () => {
    expect(await new TeamsChannel().deliver(alert())).toMatchObject({ ok: false, retryable: true });
  });
});
