import { MessageActivityInput } from '@microsoft/teams.api';
import type { AlertMessage } from '../../core/model/outbox-message.js';
import { renderAlertCard, type AlertCardOptions } from './alert-card.js';

/** The message activity carrying an alert card (the summary shows in notifications and the chat list). */
export function alertActivity(message: AlertMessage, opts: AlertCardOptions = {}): MessageActivityInput {
  return new MessageActivityInput(undefined, { summary: message.title.slice(0, 200) }).addCard('adaptive', renderAlertCard(message, opts));
}
