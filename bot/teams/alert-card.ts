import { AdaptiveCard, ExecuteAction, Fact, FactSet, TextBlock, type ActionStyle, type IAdaptiveCard, type TextColor } from '@microsoft/teams.cards';
import type { AlertMessage, MessageAction } from '../../core/model/outbox-message.js';

/** What a dualkey button sends back in the `adaptiveCard/action` invoke (`action.data`). */
export interface CardActionData {
  dualkey: 'decide';
  requestId: string;
  /** The outbox row the card was sent for: the handler re-renders the clicker's own copy from it. */
  outboxId: string | null;
  /** Set by the second click of a dangerous action (roll back, approve lock). */
  confirmed?: boolean;
}

/** A line above the facts: a refusal, a confirmation question, a result. */
export interface CardNotice {
  text: string;
  color: TextColor;
}

/** How to render: with the buttons of the alert, or the confirmation of one of them. */
export interface AlertCardOptions {
  outboxId?: string | null;
  notice?: CardNotice;
  /** Show "Yes, <label>" / "Cancel" for this action instead of the alert's buttons. */
  confirming?: MessageAction;
}

const STYLE: Record<MessageAction['style'], ActionStyle> = { primary: 'positive', danger: 'destructive' };

/** The verb a button sends, with data naming the request and the card's outbox row. */
function button(action: MessageAction, outboxId: string | null, title: string, confirmed: boolean, verb: string = action.id): ExecuteAction {
  const data: CardActionData = { dualkey: 'decide', requestId: action.requestId, outboxId, ...(confirmed ? { confirmed: true } : {}) };
  return new ExecuteAction({ title, verb, data, style: verb === 'cancel' ? 'default' : STYLE[action.style] });
}

/** An alert (key change, lock, decision, reminder, digest) as an Adaptive Card 1.5 with Action.Execute buttons. */
export function renderAlertCard(message: AlertMessage, opts: AlertCardOptions = {}): IAdaptiveCard {
  const outboxId = opts.outboxId ?? null;
  const body = [new TextBlock(message.title, { wrap: true, weight: 'Bolder', size: 'Medium', style: 'heading' })];
  if (opts.notice) body.push(new TextBlock(opts.notice.text, { wrap: true, color: opts.notice.color, weight: 'Bolder' }));
  const facts = new FactSet(...message.facts.map(([label, value]) => new Fact(label.trim() || '·', value || ' ')));
  const status = message.status && message.actions.length === 0 ? [new TextBlock(`Status: ${message.status}`, { wrap: true, isSubtle: true })] : [];
  const actions = opts.confirming
    ? [button(opts.confirming, outboxId, `Yes, ${opts.confirming.label.toLowerCase()}`, true), button(opts.confirming, outboxId, 'Cancel', false, 'cancel')]
    : message.actions.map((a) => button(a, outboxId, a.label, false));
  const card = new AdaptiveCard(...body, ...(message.facts.length ? [facts] : []), ...status)
    .withVersion('1.5')
    .with$schema('http://adaptivecards.io/schemas/adaptive-card.json')
    .withFallbackText(message.title)
    .withMsteams({ width: 'full' });
  if (actions.length > 0) card.withActions(...actions);
  return card;
}

/** Parses the data of a dualkey button, or null for anything else. */
export function parseCardActionData(data: unknown): CardActionData | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  if (d.dualkey !== 'decide' || typeof d.requestId !== 'string' || d.requestId.length === 0 || d.requestId.length > 100) return null;
  const outboxId = typeof d.outboxId === 'string' && d.outboxId.length <= 100 ? d.outboxId : null;
  return { dualkey: 'decide', requestId: d.requestId, outboxId, confirmed: d.confirmed === true };
}
