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
  serveCommand,
  demoCommand,
].sort((a, b) => b.path.length - a.path.length);

/** The command whose path starts `words`, and how many words it consumed. */
export function findCommand(words: string[]): CliCommand | null {
  return commandTable.find((c) => c.path.every((p, i) => words[i] === p)) ?? null;
}

/** Usage lines of every command. */
export function usageText(): string {
  return ['usage: dualkey <command> [--json] [--tenant <tenant>]', '', ...commandTable.map((c) => `  ${c.usage}`).sort()].join('\n');
}
