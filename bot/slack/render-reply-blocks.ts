import type { ChatReply } from '../commands/chat-reply.js';
import { replyText } from '../commands/chat-reply.js';
import type { ChatCommand, InvalidCommand } from '../commands/parse-chat-command.js';
import { type Block, capBlocks, context, escapeMrkdwn, factBlocks, fallbackText, LIMITS, lineSections, plain, section, truncate } from './block-kit.js';

/** A private reply as Slack takes it through `response_url`. */
export interface SlackReply {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks: Block[];
}

/** The `dualkey` CLI command that shows the whole of a list a chat reply had to cut. */
export function cliEquivalent(command: ChatCommand | InvalidCommand): string {
  switch (command.name) {
    case 'status':
      return `dualkey status${command.instance ? ` ${command.instance}` : ''}`;
    case 'audit':
      return `dualkey audit${command.instance ? ` --instance ${command.instance}` : ''}`;
    case 'pending':
      return 'dualkey requests';
    case 'admins':
      return 'dualkey admins';
    default:
      return 'dualkey --help';
  }
}

/** Renders a neutral chat reply as a private Block Kit message, inside Slack's limits. */
export function renderReplyBlocks(reply: ChatReply, cli: string = 'dualkey --help'): SlackReply {
  const blocks: Block[] = [];
  if (reply.kind === 'refusal') {
    blocks.push(section(`:no_entry: ${escapeMrkdwn(reply.title)}`));
    if (reply.code) blocks.push(context(`Refused: \`${escapeMrkdwn(reply.code)}\``));
  } else {
    blocks.push(section(`*${escapeMrkdwn(reply.title)}*`));
  }
  // Command lines (help, usage) read as code.
  const lines = reply.lines.map((l) => (l.startsWith('/dualkey') ? `\`${escapeMrkdwn(l)}\`` : escapeMrkdwn(l)));
  blocks.push(...lineSections(lines), ...factBlocks(reply.fields));
  if (reply.code_block) blocks.push(section(`\`\`\`${truncate(escapeMrkdwn(reply.code_block), LIMITS.sectionText - 6)}\`\`\``));
  if (reply.link) {
    const expires = `${reply.link.expiresAt.toISOString().slice(11, 16)} UTC`;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${escapeMrkdwn(reply.link.url)}|${escapeMrkdwn(reply.link.label)}> — works once, for you, until ${expires}.` },
      accessory: { type: 'button', action_id: 'open_page', text: plain(reply.link.label, LIMITS.buttonText), url: reply.link.url, style: 'primary' },
    });
  }
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: fallbackText([replyText(reply)]),
    blocks: capBlocks(blocks, `For the whole list run \`${cli}\`.`),
  };
}
