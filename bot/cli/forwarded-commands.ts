import { splitCommandPath } from './split-command-path.js';

/**
 * Read-only operator commands that a running `dualkey serve` answers itself over its CLI socket, so that
 * beside it they start no database, vault or engine of their own (issue 12). None reads standard input,
 * a prompt or a file, and none acts as an admin: anything that does runs in the CLI's own process.
 */
export const FORWARDED_COMMANDS: ReadonlySet<string> = new Set(['status', 'requests', 'admins', 'audit', 'outbox', 'db-keys status', 'token list']);

const FIRST_WORDS = new Set([...FORWARDED_COMMANDS].map((path) => path.split(' ')[0]!));

/** Options that make a command act as someone (an admin's token, impersonation): never forwarded. */
function actsAsSomeone(argv: string[]): boolean {
  return argv.some((a) => a === '--token-file' || a.startsWith('--token-file=') || a === '--as' || a.startsWith('--as='));
}

/**
 * Whether the command line may be one serve answers, judged from its first word only so the CLI need not
 * load its command table; serve decides with the table (`audit verify` starts like `audit` but is not one).
 */
export function mayBeForwarded(argv: string[]): boolean {
  const { words } = splitCommandPath(argv);
  return words.length > 0 && FIRST_WORDS.has(words[0]!) && !actsAsSomeone(argv) && !argv.includes('--help');
}

/** Whether serve answers a command line whose command (resolved through the table) has this path. */
export function isForwarded(argv: string[], commandPath: readonly string[] | null): boolean {
  return commandPath !== null && FORWARDED_COMMANDS.has(commandPath.join(' ')) && mayBeForwarded(argv);
}
