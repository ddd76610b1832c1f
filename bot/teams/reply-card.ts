import { AdaptiveCard, Fact, FactSet, OpenUrlAction, TextBlock, type IAdaptiveCard } from '@microsoft/teams.cards';
import type { ChatReply } from '../commands/chat-reply.js';

/** A command's reply as an Adaptive Card 1.5: title, lines, fields, a monospace block, and the one-time link as a button. */
export function renderReplyCard(reply: ChatReply): IAdaptiveCard {
  const color = reply.kind === 'refusal' ? 'Attention' : reply.kind === 'usage' ? 'Warning' : 'Default';
  const body = [
    new TextBlock(reply.title, { wrap: true, weight: 'Bolder', color }),
    ...(reply.code ? [new TextBlock(`Code: ${reply.code}`, { wrap: true, isSubtle: true })] : []),
    ...reply.lines.map((line) => new TextBlock(line, { wrap: true, spacing: 'Small' })),
  ];
  const card = new AdaptiveCard(...body)
    .withVersion('1.5')
    .with$schema('http://adaptivecards.io/schemas/adaptive-card.json')
    .withFallbackText(reply.title)
    .withMsteams({ width: 'full' });
  if (reply.fields.length > 0) card.body.push(new FactSet(...reply.fields.map(([k, v]) => new Fact(k, v || ' '))));
  if (reply.code_block) card.body.push(new TextBlock(reply.code_block, { wrap: true, fontType: 'Monospace', size: 'Small' }));
  if (reply.link) {
    card.body.push(new TextBlock(`The link expires at ${reply.link.expiresAt.toISOString().slice(11, 16)} UTC.`, { wrap: true, isSubtle: true }));
    card.withActions(new OpenUrlAction(reply.link.url, { title: reply.link.label }));
  }
  return card;
}
