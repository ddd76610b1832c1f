import type { CliCommand } from './cli-command.js';
import { backupAuditCommands } from './commands/backup-audit-commands.js';
import { dataCommands } from './commands/data-commands.js';
import { dbKeysCommands } from './commands/db-keys-commands.js';
import { demoCommand } from './commands/demo-command.js';
import { digestCommand } from './commands/digest-command.js';
import { instanceSetCommand } from './commands/instance-set-command.js';
import { keyCommands } from './commands/key-commands.js';
import { keyfileInspectCommand } from './commands/keyfile-inspect-command.js';
import { mariadbConfigCommand } from './commands/mariadb-config-command.js';
import { lockCommands } from './commands/lock-commands.js';
import { outboxCommands } from './commands/outbox-commands.js';
import { requestCommands } from './commands/request-commands.js';
import { serveCommand } from './commands/serve-command.js';
import { setupCommands } from './commands/setup-commands.js';
import { statusCommand } from './commands/status-command.js';
import { tenantSetCommand } from './commands/tenant-set-command.js';
import { tokenCommands } from './commands/token-commands.js';

/** Every CLI command, longest paths first so `audit verify` wins over `audit`. */
export const commandTable: CliCommand[] = [
  ...setupCommands,
  tenantSetCommand,
  instanceSetCommand,
  statusCommand,
  keyfileInspectCommand,
  ...keyCommands,
  ...lockCommands,
  ...requestCommands,
  ...dataCommands,
  ...dbKeysCommands,
  mariadbConfigCommand,
  ...backupAuditCommands,
  digestCommand,
  ...outboxCommands,
  ...tokenCommands,
  serveCommand,
  demoCommand,
].sort((a, b) => b.path.length - a.path.length);

/** The command whose path starts `words`, and how many words it consumed. */
export function findCommand(words: string[]): CliCommand | null {
  return commandTable.find((c) => c.path.every((p, i) => words[i] === p)) ?? null;
}

/** Usage lines of every command. */
export function usageText(): string {
  return [
    'usage: dualkey <command> [--json] [--tenant <tenant>] [--token-file <file>]',
    '',
    'Admin commands (key, lock, unlock, approve, rollback, reject, admin add/remove) act as the admin whose personal CLI token',
    'is in --token-file (create it with the "cli-token" chat command or in the console → CLI tokens). The operator is not an admin:',
    '--as <email> is refused unless DUALKEY_DEV_IMPERSONATION=true (local development only, refused with NODE_ENV=production).',
    '', ...commandTable.map((c) => `  ${c.usage}`).sort()].join('\n');
}
