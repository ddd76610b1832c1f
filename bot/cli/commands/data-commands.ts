import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { DomainError } from '../../../core/errors.js';
import { type CliCommand, type CliContext, str } from '../cli-command.js';
import { readInputFile } from '../read-secret-input.js';

async function instanceRef(ctx: CliContext, name: string): Promise<InstanceRef> {
  const tenant = await ctx.tenant();
  const instance = await (await ctx.engine()).deps.uow.run((store) => store.instances.byName(tenant.id, name));
  if (!instance) throw new DomainError('instance_not_found', `There is no instance named ${name}.`, { instance: name });
  return { instanceId: instance.id, tenantId: tenant.id, name };
}

/** data put|get|delete|list: the data plane through core, as the operator. */
export const dataCommands: CliCommand[] = [
  {
    path: ['data', 'put'],
    usage: 'dualkey data put <instance> <key> [--file <f>]   (value from --file or standard input)',
    options: { file: { type: 'string' } },
    args: [2, 2],
    async run(ctx, [name, key], values) {
      const file = str(values, 'file');
      const value = file ? await readInputFile(ctx.io, file, 'value file') : await ctx.io.readStdin();
      const r = await (await ctx.engine()).records.put(await instanceRef(ctx, name!), key!, value);
      return { json: { instance: name, key, bytes: value.length, created: r.created }, text: `${r.created ? 'Created' : 'Updated'} ${key} (${value.length} bytes).` };
    },
  },
  {
    path: ['data', 'get'],
    usage: 'dualkey data get <instance> <key> [--file <f>]   (value to --file or standard output)',
    options: { file: { type: 'string' } },
    args: [2, 2],
    async run(ctx, [name, key], values) {
      const value = await (await ctx.engine()).records.get(await instanceRef(ctx, name!), key!);
      const file = str(values, 'file');
      if (file) await writeFile(path.resolve(ctx.io.cwd, file), value);
      return file
        ? { json: { instance: name, key, bytes: value.length, file }, text: `Wrote ${value.length} bytes to ${file}.` }
        : { json: { instance: name, key, bytes: value.length, base64: value.toString('base64') }, text: '', raw: value };
    },
  },
  {
    path: ['data', 'delete'],
    usage: 'dualkey data delete <instance> <key>',
    options: {},
    args: [2, 2],
    async run(ctx, [name, key]) {
      const existed = await (await ctx.engine()).records.delete(await instanceRef(ctx, name!), key!);
      return { json: { instance: name, key, deleted: existed }, text: existed ? `Deleted ${key}.` : `There was no record ${key}.` };
    },
  },
  {
    path: ['data', 'list'],
    usage: 'dualkey data list <instance> [--prefix <p>]',
    options: { prefix: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [name], values) {
      const keys = await (await ctx.engine()).records.list(await instanceRef(ctx, name!), str(values, 'prefix') ?? '');
      return { json: keys, text: keys.join('\n') };
    },
  },
];
