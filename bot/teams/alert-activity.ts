import type { IMessageActivityInput } from '@microsoft/teams.api';
import type { AlertMessage } from '../../core/model/outbox-message.js';
import { renderAlertCard, type AlertCardOptions } from './alert-card.js';

/**
 * The message activity carrying an alert card (the summary shows in notifications and the chat list).
 * A plain object, so the channel — built by every CLI run — does not load the SDK's runtime.
 */
export function alertActivity(message: AlertMessage, opts: AlertCardOptions = {}): IMessageActivityInput {
  const activity: IMessageActivityInput & { summary: string } = {
    type: 'message',
    summary: message.title.slice(0, 200),
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: renderAlertCard(message, opts) }],
  };
  return activity;
}
