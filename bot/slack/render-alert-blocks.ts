import type { AlertMessage, MessageAction } from '../../core/model/outbox-message.js';
import { type Block, capBlocks, context, escapeMrkdwn, factBlocks, fallbackText, LIMITS, plain, section } from './block-kit.js';

/** A message for chat.postMessage / chat.update. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Where a cut-short alert (a long digest) sends the reader. */
const CLI_POINTER: Record<string, string> = {
  digest: 'For the whole digest run `dualkey digest`, `dualkey requests` or `dualkey outbox --failed`.',
};

function button(action: MessageAction): Block {
  return {
    type: 'button',
    action_id: action.id,
    value: action.requestId.slice(0, LIMITS.buttonValue),
    text: plain(action.label, LIMITS.buttonText),
    style: action.style,
    ...(action.confirm
      ? {
          confirm: {
            title: plain(`${action.label}?`, LIMITS.confirmTitle),
            text: plain(action.confirm, LIMITS.confirmText),
            confirm: plain(action.label, LIMITS.confirmButton),
            deny: plain('Cancel', LIMITS.confirmButton),
            style: action.style === 'danger' ? 'danger' : 'primary',
          },
        }
      : {}),
  };
}

/**
 * An alert (key change, lock, decision, reminder, digest) as a Block Kit message: header, facts,
 * status, and the action buttons (value = request id, action_id = the decision).
 * `originalTitle` is set when a decision updates an earlier copy in place.
 */
export function renderAlertBlocks(message: AlertMessage, originalTitle?: string): SlackMessage {
  const blocks: Block[] = [{ type: 'header', text: plain(message.title, LIMITS.headerText) }];
  if (message.title.length > LIMITS.headerText) blocks.push(section(escapeMrkdwn(message.title)));
  if (originalTitle) blocks.push(context(`Was: ${escapeMrkdwn(originalTitle)}`));
  blocks.push(...factBlocks(message.facts));
  // A decided message already states its status as a fact.
  const status = message.status && !message.facts.some(([, v]) => v === message.status) ? message.status : null;
  if (status) blocks.push(section(`*Status:* ${escapeMrkdwn(status)}`));
  if (message.actions.length > 0) {
    blocks.push({ type: 'actions', block_id: `dualkey:${(message.requestId ?? 'alert').slice(0, 200)}`, elements: message.actions.slice(0, 5).map(button) });
    blocks.push(context('Buttons act as you, under the same rules as `/dualkey approve|rollback|reject <request>`.'));
  }
  const pointer = CLI_POINTER[message.event] ?? 'Run `dualkey status` or `dualkey requests` for everything.';
  const text = fallbackText([message.title, ...message.facts.map(([k, v]) => `${k.trim()}: ${v}`), status ? `Status: ${status}` : '']);
  return { text, blocks: capBlocks(blocks, pointer) };
}
