import type { Admin } from '../../core/model/admin.js';
import type { AlertChannel, DeliveryResult, OutgoingAlert } from '../../core/ports/alert-channel.js';
import type { Clock } from '../../core/ports/clock.js';
import { alertActivity } from './alert-activity.js';
import { classifyConnectorError } from './connector-errors.js';
import { personalConversation } from './open-conversation.js';
import type { DualkeyTeamsApp } from './teams-app.js';
import type { TeamsAddress, TeamsConversationRepo } from './teams-conversation-repo.js';

/** What the channel needs from the running server: the SDK app (tokens, connector clients) and the stored references. */
export interface TeamsChannelLink {
  app: DualkeyTeamsApp;
  conversations: TeamsConversationRepo;
  clock: Clock;
}

const fail = (error: string, retryable: boolean): DeliveryResult => ({ ok: false, retryable, retryAfterMs: null, error });

/**
 * Alerts as Adaptive Cards in each admin's personal chat with the bot, sent proactively through the
 * stored conversation reference (service URL + conversation id); a decision updates every earlier card
 * in place (PUT activity). Built from the configuration alone; the server attaches the app and database.
 */
export class TeamsChannel implements AlertChannel {
  readonly name = 'teams' as const;
  private link: TeamsChannelLink | null = null;

  /** Binds the channel to the server's Teams app and database. */
  attach(link: TeamsChannelLink): void {
    this.link = link;
  }

  async deliver(alert: OutgoingAlert): Promise<DeliveryResult> {
    const link = this.link;
    if (!link) return fail('the Teams channel delivers from "dualkey serve" (it needs the bot\'s app and stored conversations)', true);
    if (!alert.recipient) return fail('Teams alerts need an admin recipient', false);
    const address = await this.addressOf(link, alert.recipient);
    if (!address) return fail(`no Teams conversation with ${alert.recipient.email}: the admin has not installed or messaged the bot`, false);
    try {
      const conversationId = await personalConversation(link.app, link.conversations, link.clock, address);
      const sent = await link.app.connector(address.serviceUrl).conversations.createActivity(conversationId, alertActivity(alert.message, { outboxId: alert.idempotencyKey }));
      return { ok: true, platformRef: { conversationId, activityId: sent.id, serviceUrl: address.serviceUrl } };
    } catch (e) {
      return classifyConnectorError(e, link.clock.now());
    }
  }

  async update(alert: OutgoingAlert, previous: Record<string, string>): Promise<DeliveryResult> {
    const link = this.link;
    if (!link) return fail('the Teams channel delivers from "dualkey serve" (it needs the bot\'s app and stored conversations)', true);
    const { conversationId, activityId } = previous;
    if (!conversationId || !activityId || !previous.serviceUrl) return this.deliver(alert);
    // The user's service URL may have moved since the card was sent; the stored reference is the newest.
    const current = alert.recipient ? await this.addressOf(link, alert.recipient) : null;
    const serviceUrl = current?.conversationId === conversationId ? current.serviceUrl : previous.serviceUrl;
    try {
      await link.app.connector(serviceUrl).conversations.updateActivity(conversationId, activityId, alertActivity(alert.message, { outboxId: alert.idempotencyKey }));
      return { ok: true, platformRef: { conversationId, activityId, serviceUrl } };
    } catch (e) {
      return classifyConnectorError(e, link.clock.now());
    }
  }

  /** The stored address of the admin's first linked Teams identity that has one. */
  private async addressOf(link: TeamsChannelLink, admin: Admin): Promise<TeamsAddress | null> {
    for (const identity of admin.identities.filter((i) => i.platform === 'teams')) {
      const address = await link.conversations.find(identity.workspace, identity.userId);
      if (address) return address;
    }
    return null;
  }
}
