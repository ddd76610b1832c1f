import { parseArgs } from 'node:util';
import type { RunningServer } from '../start-server.js';
import { withAlertReach } from './alerting-commands.js';
import type { Engine } from '../../core/engine.js';
import { loadConfig, type Config } from '../runtime/config.js';
import type { CliContext, CliResult } from './cli-command.js';
import type { CliIo } from './cli-io.js';
import { findCommand, usageText } from './command-table.js';
import { renderCliError } from './render-error.js';
import { readTokenFile } from './read-token-file.js';
import { splitCommandPath } from './split-command-path.js';
import { UsageError } from './usage-error.js';

/** What the CLI needs from the outside: an engine for a configuration, and the server loop. */
export interface CliHost {
  env: NodeJS.ProcessEnv;
  /** The configuration to run under instead of loading it from `env` (a serve answering a command uses its own). */
  config?: Config;
  openEngine(config: Config): Promise<{ engine: Engine; close(): Promise<void> }>;
  /** Runs the server until stopped; `onStarted` runs once it listens (the demo seeds and prints links there). */
  serve(config: Config, onStarted?: (server: RunningServer) => Promise<void>): Promise<void>;
}

/** Runs one CLI invocation and returns its exit status (0 ok, 1 refusal, 2 usage, 3 internal fault). */
export async function runCli(argv: string[], io: CliIo, host: CliHost): Promise<number> {
  const { words, rest } = splitCommandPath(argv);
  const json = rest.includes('--json');
  if (words.length === 0 || words[0] === 'help' || rest.includes('--help')) {
    io.stdout(`${usageText()}\n`);
    return words.length === 0 && !rest.includes('--help') ? 2 : 0;
  }
  const command = findCommand(words);
  const held: { opened: { engine: Engine; close(): Promise<void> } | null } = { opened: null };
  try {
    if (!command) throw new UsageError(`unknown command "${words.join(' ')}"\n${usageText()}`);
    const { values, positionals } = parseArgs({
      args: [...words.slice(command.path.length), ...rest],
      options: { ...command.options, json: { type: 'boolean' }, tenant: { type: 'string' }, 'token-file': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }).valueOf() as { values: Record<string, string | boolean | undefined>; positionals: string[] };
    const [min, max] = command.args;
    if (positionals.length < min || positionals.length > max) throw new UsageError(`expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${positionals.length}`);
    const config = host.config ?? loadConfig(host.env);
    const engine = async () => (held.opened ??= await host.openEngine(config)).engine;
    const tenantName = typeof values.tenant === 'string' ? values.tenant : undefined;
    const tokenFile = typeof values['token-file'] === 'string' ? values['token-file'] : undefined;
    const ctx: CliContext = {
      io,
      config,
      json,
      engine,
      tenant: async () => (await engine()).resolveTenant(tenantName),
      actingAdmin: async (email) => (email || tokenFile ? ctx.actor(email) : null),
      actor: async (email) => {
        if (tokenFile && email) throw new UsageError('use --token-file <file> (you act as yourself) or --as <email> (local development), not both');
        if (tokenFile) {
          const e = await engine();
          const actor = await e.resolveCliToken(await readTokenFile(io, tokenFile));
          // A token acts in its admin's tenant only; naming another one is a mistake worth stopping at.
          if (tenantName && (await e.resolveTenant(tenantName)).id !== actor.admin.tenantId) throw new UsageError(`the token in ${tokenFile} belongs to an admin of another tenant than ${tenantName}`);
          return actor;
        }
        if (!email) throw new UsageError('--token-file <file> is required: admins act with their own CLI token (create one with the "cli-token" chat command or in the console → CLI tokens). --as <email> works only with DUALKEY_DEV_IMPERSONATION=true (local development).');
        // The engine refuses the impersonated actor unless DUALKEY_DEV_IMPERSONATION=true; say so loudly when it is on.
        if (config.DUALKEY_DEV_IMPERSONATION) io.stderr(`warning: DUALKEY_DEV_IMPERSONATION=true: the operator acts as ${email} with --as (local development only; recorded in the audit as CLI impersonation)\n`);
        const e = await engine();
        const tenant = await e.resolveTenant(tenantName);
        return { admin: await e.adminByEmail(tenant.id, email), transport: 'cli', impersonatedBy: 'operator' };
      },
      serve: (opts = {}) => host.serve(opts.config ?? config, opts.onStarted),
    };
    const result: CliResult = await withAlertReach(command.path, await command.run(ctx, positionals, values), engine, ctx.tenant);
    if (json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
    else if (result.raw) io.stdout(result.raw);
    else if (result.text) io.stdout(`${result.text}\n`);
    return 0;
  } catch (e) {
    const rendered = renderCliError(e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? new UsageError(e.message) : e, command?.usage ?? null);
    if (json) io.stdout(`${JSON.stringify(rendered.json)}\n`);
    else io.stderr(`${rendered.text}\n`);
    return rendered.exitCode;
  } finally {
    await held.opened?.close();
  }
}
