/** A command of the one chat grammar (DESIGN §5), as every transport receives it. */
export type ChatCommand =
  | { name: 'help' }
  | { name: 'status'; instance?: string }
  | { name: 'key_new' | 'key_upload' | 'key_revert' | 'lock' | 'unlock'; instance: string }
  | { name: 'key_kek' }
  | { name: 'pending' }
  | { name: 'approve' | 'rollback' | 'reject'; request: string; reason?: string }
  | { name: 'audit'; instance?: string }
  | { name: 'admins' }
  | { name: 'whoami' }
  | { name: 'console' }
  | { name: 'cli_token' };

/** Input that is not a command: the reply shows usage. */
export interface InvalidCommand {
  name: 'invalid';
  message: string;
}

/** The grammar, one line per command, for `help` and usage replies. */
export const CHAT_USAGE = [
  'help',
  'status [instance]',
  'key new <instance>',
  'key upload <instance>',
  'key revert <instance>',
  'key kek',
  'lock <instance>',
  'unlock <instance>',
  'pending',
  'approve <request> [reason]',
  'rollback <request> [reason]',
  'reject <request> [reason]',
  'audit [instance]',
  'admins',
  'whoami',
  'console',
  'cli-token',
];

const INSTANCE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses chat text (`/dualkey …` arguments or a message to the bot) into a command. */
export function parseChatCommand(text: string): ChatCommand | InvalidCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, second, third, ...rest] = words.map((w, i) => (i < 2 ? w.toLowerCase() : w));
  const invalid = (message: string): InvalidCommand => ({ name: 'invalid', message });
  const instanceArg = (value: string | undefined, usage: string): string | InvalidCommand => {
    if (!value) return invalid(`missing instance: ${usage}`);
    return INSTANCE.test(value) ? value : invalid(`"${value.slice(0, 64)}" is not an instance name: ${usage}`);
  };
  switch (first) {
    case undefined:
    case 'help':
      return { name: 'help' };
    case 'status':
    case 'audit': {
      if (third !== undefined) return invalid(`too many words: ${first} [instance]`);
      if (second === undefined) return { name: first };
      const instance = instanceArg(second, `${first} [instance]`);
      return typeof instance === 'string' ? { name: first, instance } : instance;
    }
    case 'key': {
      if (second === 'kek') return third === undefined ? { name: 'key_kek' } : invalid('too many words: key kek');
      if (second !== 'new' && second !== 'upload' && second !== 'revert') return invalid('use key new <instance>, key upload <instance>, key revert <instance> or key kek');
      if (rest.length > 0) return invalid(`too many words: key ${second} <instance>`);
      const instance = instanceArg(third, `key ${second} <instance>`);
      return typeof instance === 'string' ? { name: `key_${second}`, instance } : instance;
    }
    case 'lock':
    case 'unlock': {
      if (third !== undefined) return invalid(`too many words: ${first} <instance>`);
      const instance = instanceArg(second, `${first} <instance>`);
      return typeof instance === 'string' ? { name: first, instance } : instance;
    }
    case 'approve':
    case 'rollback':
    case 'reject': {
      if (!second) return invalid(`missing request id: ${first} <request> [reason]`);
      const reason = [third, ...rest].filter(Boolean).join(' ').slice(0, 500);
      return { name: first, request: second, ...(reason ? { reason } : {}) };
    }
    case 'pending':
    case 'admins':
    case 'whoami':
    case 'console':
      return second === undefined ? { name: first } : invalid(`"${first}" takes no arguments`);
    case 'cli-token':
      return second === undefined ? { name: 'cli_token' } : invalid('"cli-token" takes no arguments (you name the token on its page)');
    default:
      return invalid(`unknown command "${String(first).slice(0, 40)}"`);
  }
}
