import { publicUrlOf } from '../../runtime/config.js';
import { mariadbConfigLines, mariadbTokenFile } from '../../mariadb/mariadb-config.js';
import { type CliCommand, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';

function ms(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${flag} must be a number of milliseconds`);
  return Number(value);
}

/** mariadb config: the [mariadbd] lines for an instance; a token only with --show-token (a new one: tokens are stored hashed). */
export const mariadbConfigCommand: CliCommand = {
  path: ['mariadb', 'config'],
  usage: 'dualkey mariadb config <instance> [--show-token] [--token-file <path>] [--ca-file <path>] [--cache-timeout <ms>] [--version-cache-timeout <ms>] [--max-retries <n>]',
  options: {
    'show-token': { type: 'boolean' }, 'token-file': { type: 'string' }, 'ca-file': { type: 'string' },
    'cache-timeout': { type: 'string' }, 'version-cache-timeout': { type: 'string' }, 'max-retries': { type: 'string' },
  },
  args: [1, 1],
  async run(ctx, [name], values) {
    const tenant = await ctx.tenant();
    const engine = await ctx.engine();
    const status = await engine.dbKeyStatus(tenant.id, name!);
    const baseUrl = publicUrlOf(ctx.config);
    const tokenFile = str(values, 'token-file') ?? '/etc/mysql/dualkey-token.cnf';
    const lines = mariadbConfigLines({
      baseUrl, instance: name!, tokenFile,
      caFile: str(values, 'ca-file') ?? (baseUrl.startsWith('https://') ? '/etc/mysql/dualkey-ca.pem' : null),
      cacheTimeoutMs: ms(str(values, 'cache-timeout'), '--cache-timeout', 60_000),
      versionCacheTimeoutMs: ms(str(values, 'version-cache-timeout'), '--version-cache-timeout', 0),
      maxRetries: ms(str(values, 'max-retries'), '--max-retries', 3),
    });
    const token = values['show-token'] ? await engine.issueToken(tenant.id, name!) : null;
    const notes = [
      ...(status.keys.length === 0 ? [`# no database keys yet: run "dualkey db-keys init ${name}" first`] : []),
      token
        ? `# ${tokenFile} (mode 0600; a new token was issued, shown once):\n${mariadbTokenFile(token)}`
        : `# create ${tokenFile} (mode 0600) with "[mariadbd]" and "hashicorp-key-management-token=<token>"; "--show-token" issues one and prints it`,
    ];
    return { json: { instance: name, lines, tokenFile, ...(token ? { token, tokenFileContent: mariadbTokenFile(token) } : {}) }, text: [...lines, '', ...notes].join('\n') };
  },
};
