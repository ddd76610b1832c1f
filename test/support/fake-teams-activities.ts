import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

/** A Teams user as activities name them: Entra tenant, AAD object id, Bot Framework id. */
export interface TeamsUser {
  tenantId: string;
  aadObjectId: string;
  /** "29:…" */
  id: string;
  name: string;
}

/** The bot as Teams addresses it ("28:<app id>"). */
export const TEAMS_BOT = { id: '28:00000000-0000-0000-0000-00000000b07', name: 'dualkey' };

/** A Teams user of the test tenant. */
export function teamsUser(tenantId: string, name: string): TeamsUser {
  return { tenantId, aadObjectId: randomUUID(), id: `29:1${name.toLowerCase()}-${randomUUID().slice(0, 8)}`, name };
}

/** The personal (1:1) conversation id of a user with the bot. */
export function personalConversationId(user: TeamsUser): string {
  return `a:1personal-${user.aadObjectId}`;
}

/** A team channel conversation, as a channel message's `conversation` carries it. */
export const TEAM_CHANNEL = { id: '19:general0123456789@thread.tacv2', teamId: '19:team0123456789@thread.tacv2' };

let seq = 0;

/** The fields every activity from a user has (documented Bot Framework / Teams shape). */
function base(serviceUrl: string, user: TeamsUser, channel: boolean): Json {
  return {
    id: `${Date.now()}${++seq}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: TEAMS_BOT,
    locale: 'en-US',
    conversation: channel
      ? { isGroup: true, conversationType: 'channel', tenantId: user.tenantId, id: `${TEAM_CHANNEL.id};messageid=${Date.now()}` }
      : { conversationType: 'personal', tenantId: user.tenantId, id: personalConversationId(user) },
    channelData: channel
      ? { tenant: { id: user.tenantId }, teamsChannelId: TEAM_CHANNEL.id, teamsTeamId: TEAM_CHANNEL.teamId, channel: { id: TEAM_CHANNEL.id }, team: { id: TEAM_CHANNEL.teamId } }
      : { tenant: { id: user.tenantId } },
  };
}

/** Builders of the activities Teams posts to /api/messages. */
export function teamsActivities(serviceUrl: string) {
  return {
    /** A message in the personal chat, or (channel) in a team channel with the bot @mentioned first. */
    message(user: TeamsUser, text: string, opts: { channel?: boolean } = {}): Json {
      const mention = `<at>${TEAMS_BOT.name}</at>`;
      return {
        ...base(serviceUrl, user, opts.channel === true),
        type: 'message',
        textFormat: 'plain',
        text: opts.channel ? `${mention} ${text}` : text,
        entities: opts.channel ? [{ type: 'mention', text: mention, mentioned: TEAMS_BOT }] : [],
      };
    },
    /** The bot added to the user's personal scope. */
    conversationUpdate(user: TeamsUser): Json {
      return { ...base(serviceUrl, user, false), type: 'conversationUpdate', membersAdded: [{ id: TEAMS_BOT.id }] };
    },
    /** The app installed ("add") or uninstalled ("remove") in the user's personal scope. */
    installationUpdate(user: TeamsUser, action: 'add' | 'remove'): Json {
      return { ...base(serviceUrl, user, false), type: 'installationUpdate', action };
    },
    /** A click on an Action.Execute button of a card the bot sent (activity `replyToId`). */
    cardAction(user: TeamsUser, verb: string, data: unknown, replyToId?: string): Json {
      return {
        ...base(serviceUrl, user, false),
        type: 'invoke',
        name: 'adaptiveCard/action',
        ...(replyToId ? { replyToId } : {}),
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      };
    },
  };
}

/** POSTs an activity to the server's /api/messages; returns the status and parsed body (null when empty). */
export async function postActivity(serverUrl: string, activity: Json, headers: Record<string, string> = {}): Promise<{ status: number; body: Json | null }> {
  const res = await fetch(`${serverUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : null };
}
