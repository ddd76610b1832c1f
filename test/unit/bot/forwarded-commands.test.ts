import { describe, expect, it } from 'vitest';
import { findCommand } from '../../../bot/cli/command-table.js';
import { FORWARDED_COMMANDS, isForwarded, mayBeForwarded } from '../../../bot/cli/forwarded-commands.js';

// Options a read-only listing may take; anything naming a file, a secret or an identity would have to run in the CLI.
const LISTING_OPTIONS = new Set(['all', 'instance', 'limit', 'failed', 'admin']);

describe('commands a running serve answers over its CLI socket', () => {
  it('are all commands of the table that read files, stdin and prompts not at all, and take only listing options', () => {
    for (const path of FORWARDED_COMMANDS) {
      const command = findCommand(path.split(' '));
      expect(command?.path.join(' '), path).toBe(path);
      expect(Object.keys(command!.options).filter((o) => !LISTING_OPTIONS.has(o)), path).toEqual([]);
    }
    // The commands that change state or take key files stay in the CLI's own process.
    for (const path of ['key new', 'lock', 'approve', 'instance create', 'audit verify', 'backup create', 'data get', 'serve']) expect(FORWARDED_COMMANDS.has(path), path).toBe(false);
  });

  it('never forwards a command line that acts as someone, asks for help, or starts with another command', () => {
    expect(mayBeForwarded(['status'])).toBe(true);
    expect(mayBeForwarded(['--json', '--tenant', 'acme', 'status', 'crm-prod'])).toBe(true);
    expect(mayBeForwarded(['requests', '--token-file', 'ann.token'])).toBe(false);
    expect(mayBeForwarded(['--token-file=ann.token', 'token', 'list'])).toBe(false);
    expect(mayBeForwarded(['status', '--as', 'ann@example.com'])).toBe(false);
    expect(mayBeForwarded(['status', '--as=ann@example.com'])).toBe(false);
    expect(mayBeForwarded(['status', '--help'])).toBe(false);
    expect(mayBeForwarded(['lock', 'crm-prod'])).toBe(false);
    expect(mayBeForwarded([])).toBe(false);
  });

  it('tells `audit verify` from `audit` by the command the table resolves, not by the first word', () => {
    expect(mayBeForwarded(['audit', 'verify'])).toBe(true);
    expect(isForwarded(['audit', 'verify'], findCommand(['audit', 'verify'])!.path)).toBe(false);
    expect(isForwarded(['audit', '--limit', '5'], findCommand(['audit'])!.path)).toBe(true);
    expect(isForwarded(['token', 'revoke', 'x'], findCommand(['token', 'revoke', 'x'])!.path)).toBe(false);
    expect(isForwarded(['status', 'nope'], null)).toBe(false);
  });
});
