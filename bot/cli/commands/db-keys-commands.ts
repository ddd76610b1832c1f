import { type CliCommand, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';

function parseIds(value: string | undefined, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}(,\d{1,10})*$/.test(value)) throw new UsageError(`${flag} must be key ids separated by commas, e.g. ${flag} 1,2`);
  return value.split(',').map(Number);
}

/** db-keys init|rotate|status: the database encryption keys MariaDB fetches from dualkey (never printed). */
export const dbKeysCommands: CliCommand[] = [
  {
    path: ['db-keys', 'init'],
    usage: 'dualkey db-keys init <instance> [--ids 1,2]',
    options: { ids: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [name], values) {
      const keys = await (await ctx.engine()).initDbKeys((await ctx.tenant()).id, name!, parseIds(str(values, 'ids'), '--ids'));
      return { json: { instance: name, keys }, text: `Created database keys of ${name}: ${keys.map((k) => `id ${k.keyId} version ${k.version}`).join(', ')}.` };
    },
  },
  {
    path: ['db-keys', 'rotate'],
    usage: 'dualkey db-keys rotate <instance> --id <key id>',
    options: { id: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [name], values) {
      const [id] = parseIds(str(values, 'id'), '--id') ?? [];
      if (id === undefined) throw new UsageError('--id <key id> is required, e.g. --id 1');
      const k = await (await ctx.engine()).rotateDbKey((await ctx.tenant()).id, name!, id);
      return {
        json: { instance: name, keyId: k.keyId, version: k.version },
        text: `Database key ${k.keyId} of ${name} is now at version ${k.version}; new page writes use it, older versions stay fetchable.`,
      };
    },
  },
  {
    path: ['db-keys', 'status'],
    usage: 'dualkey db-keys status <instance>',
    options: {},
    args: [1, 1],
    async run(ctx, [name]) {
      const s = await (await ctx.engine()).dbKeyStatus((await ctx.tenant()).id, name!);
      const json = { instance: s.instance, state: s.state, keys: s.keys.map((k) => ({ keyId: k.keyId, latestVersion: k.latestVersion, versions: k.versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString() })) })) };
      const lines = json.keys.map((k) => `  key ${k.keyId}: latest version ${k.latestVersion} (${k.versions.map((v) => `v${v.version} ${v.createdAt}`).join(', ')})`);
      return { json, text: [`${s.instance} (${s.state})`, ...(lines.length ? lines : ['  no database keys yet: run "dualkey db-keys init ' + s.instance + '"'])].join('\n') };
    },
  },
];
