import { PUBLIC, withOverrides } from '@microsoft/teams.api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalConversationId, postActivity } from '../support/fake-teams-activities.js';
import { FakeTeamsOpenId } from '../support/fake-teams-openid.js';
import { startTeamsWorld, TEAMS_TENANT, type TeamsWorld } from '../support/fake-teams-world.js';

const APP_ID = '0b0b0b0b-1111-4222-8333-444455556666';

describe('/api/messages without credentials and without the development flag', () => {
  let w: TeamsWorld;

  beforeAll(async () => {
    w = await startTeamsWorld({ TEAMS_ALLOW_UNAUTHENTICATED: 'false' });
  });

  afterAll(async () => {
    await w?.close();
  });

  it('answers 401 to every activity, with or without an Authorization header, and acts on none', async () => {
    const message = w.activities.message(w.users.ann, 'whoami');
    expect((await postActivity(w.server.url, message)).status).toBe(401);
    expect((await postActivity(w.server.url, w.activities.installationUpdate(w.users.ann, 'add'), { authorization: 'Bearer made.up.token' })).status).toBe(401);
    expect((await postActivity(w.server.url, w.activities.cardAction(w.users.bob, 'approve', { dualkey: 'decide', requestId: 'r', outboxId: null }))).status).toBe(401);
    expect(w.connector.sent).toHaveLength(0);
    expect(await w.conversations.find(w.users.ann.tenantId, w.users.ann.aadObjectId)).toBeNull();
  });

  it('writes no Teams alerts: the channel is off', async () => {
    expect((await w.engine.alertReach(w.tenantId)).channels).not.toContain('teams');
  });
});

/**
 * Real Bot Framework JWT validation by the SDK, against a local fake of the OpenID metadata and JWKS
 * (the SDK's cloud environment points there): tokens are signed by the test with node:crypto.
 */
describe('/api/messages with credentials: Bot Framework JWT validation', () => {
  let w: TeamsWorld;
  let openid: FakeTeamsOpenId;
  let botToken: string;

  beforeAll(async () => {
    openid = await FakeTeamsOpenId.start();
    botToken = openid.sign({ iss: 'https://login.microsoftonline.com/test/', aud: 'https://api.botframework.com', appid: APP_ID, exp: Math.floor(Date.now() / 1000) + 3600 });
    const cloud = withOverrides(PUBLIC, { openIdMetadataUrl: openid.openIdMetadataUrl });
    // The development flag is set too: with credentials it must be ignored.
    w = await startTeamsWorld(
      { TEAMS_CLIENT_ID: APP_ID, TEAMS_CLIENT_SECRET: 'not-used-the-token-is-injected', TEAMS_TENANT_ID: TEAMS_TENANT, TEAMS_ALLOW_UNAUTHENTICATED: 'true' },
      { teams: { cloud, token: () => botToken } },
    );
  });

  afterAll(async () => {
    await w?.close();
    await openid?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const whoami = () => w.activities.message(w.users.ann, 'whoami');

  it('accepts a correctly signed token and answers through the connector as the bot', async () => {
    const res = await postActivity(w.server.url, whoami(), bearer(openid.sign(openid.claims(APP_ID, w.connector.serviceUrl))));
    expect(res.status).toBe(200);
    expect(w.connector.sent).toHaveLength(1);
    expect(w.connector.sent[0]).toMatchObject({ conversationId: personalConversationId(w.users.ann), authorization: `Bearer ${botToken}` });
    expect(openid.fetches).toContain('/v1/.well-known/keys');
  });

  it.each([
    ['no Authorization header', () => ({})],
    ['a token signed by a key the JWKS does not publish', () => bearer(openid.sign(openid.claims(APP_ID, w.connector.serviceUrl), openid.rogue))],
    ['a token for another bot (audience)', () => bearer(openid.sign(openid.claims('another-app-id', w.connector.serviceUrl)))],
    ['a token from another issuer', () => bearer(openid.sign(openid.claims(APP_ID, w.connector.serviceUrl, { iss: 'https://evil.example.com' })))],
    ['an expired token', () => bearer(openid.sign(openid.claims(APP_ID, w.connector.serviceUrl, { exp: Math.floor(Date.now() / 1000) - 3600 })))],
    ['a token issued for another service URL', () => bearer(openid.sign(openid.claims(APP_ID, 'https://smba.trafficmanager.net/emea/')))],
    ['an unsigned token (alg none)', () => bearer(`${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(openid.claims(APP_ID, w.connector.serviceUrl))).toString('base64url')}.`)],
  ])('refuses %s with 401 even though TEAMS_ALLOW_UNAUTHENTICATED is set', async (_what, headers) => {
    w.connector.reset();
    const res = await postActivity(w.server.url, whoami(), headers());
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: expect.any(String) });
    expect(w.connector.sent).toHaveLength(0);
  });

  it('warns that the development flag is ignored when credentials are configured', () => {
    expect(w.logger.lines.some((l) => l.includes('"level":"warn"') && l.includes('TEAMS_ALLOW_UNAUTHENTICATED is ignored'))).toBe(true);
  });
});
