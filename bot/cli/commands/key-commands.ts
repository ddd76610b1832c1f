import { open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { refuseUnprotectedPfx } from '../../../core/keyfiles/parse-pfx.js';
import { detectKeyFileFormat } from '../../../core/keyfiles/read-key-file.js';
import type { Request } from '../../../core/model/request.js';
import type { KeyChangeResult } from '../../../core/lifecycle/key-change.js';
import { type CliCommand, type CliContext, type CliResult, type CliValues, str } from '../cli-command.js';
import { readInputFile, readPassword } from '../read-secret-input.js';
import { UsageError } from '../usage-error.js';

/** Reads --file and, for a PFX, the password (--password-file or a prompt). */
export async function readKeyFileArgs(ctx: CliContext, values: CliValues): Promise<{ file: Buffer; password: string | undefined }> {
  const name = str(values, 'file');
  if (!name) throw new UsageError('--file <key file> is required (a .pfx/.p12 or a .byok file)');
  const file = await readInputFile(ctx.io, name, 'key file');
  const isPfx = detectKeyFileFormat(file) === 'pfx';
  if (isPfx && !str(values, 'password-file')) refuseUnprotectedPfx(file);
  const password = await readPassword(ctx.io, str(values, 'password-file'), { required: isPfx });
  return { file, password };
}

function changeResult(r: KeyChangeResult, instance: string, extra: Record<string, unknown> = {}): CliResult {
  const req: Request = r.request;
  return {
    json: { request: req.id, instance, state: req.state, keyName: r.protector.name, fingerprint: r.protector.fingerprint, kind: r.protector.kind, deadline: req.deadline.toISOString(), ...extra },
    text: [
      `Key changed on ${instance}: ${r.protector.name} (${r.protector.fingerprint}).`,
      `Request ${req.id} awaits a second administrator until ${req.deadline.toISOString()}.`,
    ].join('\n'),
  };
}

/** key new, key upload, key revert, key kek, keyfile inspect. */
export const keyCommands: CliCommand[] = [
  {
    path: ['key', 'new'],
    usage: 'dualkey key new <instance> --token-file <f> --password-file <f> --out <file.pfx> [--name <key name>]',
    options: { as: { type: 'string' }, 'password-file': { type: 'string' }, out: { type: 'string' }, name: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [instance], values) {
      const out = str(values, 'out');
      if (!out) throw new UsageError('--out <file.pfx> is required: the new key is delivered once, into that file');
      const actor = await ctx.actor(str(values, 'as'));
      const password = (await readPassword(ctx.io, str(values, 'password-file'), { required: true, confirm: true }))!;
      const target = path.resolve(ctx.io.cwd, out);
      // Claim the output file before the key exists, so the one copy of the key cannot be lost to a bad path.
      const handle = await open(target, 'wx', 0o600).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(e.code === 'EEXIST' ? `${out} already exists; choose a new file name` : `cannot create ${out}: ${e.code}`);
      });
      let written = false;
      try {
        const r = await (await ctx.engine()).changeKey(actor, instance!, { kind: 'generate', password, keyName: str(values, 'name') });
        await handle.writeFile(r.pfx!);
        written = true;
        return changeResult(r, instance!, { out: target });
      } finally {
        await handle.close();
        if (!written) await rm(target, { force: true });
      }
    },
  },
  {
    path: ['key', 'upload'],
    usage: 'dualkey key upload <instance> --token-file <f> --file <f> [--password-file <f>]',
    options: { as: { type: 'string' }, file: { type: 'string' }, 'password-file': { type: 'string' } },
    args: [1, 1],
    async run(ctx, [instance], values) {
      const actor = await ctx.actor(str(values, 'as'));
      const upload = await readKeyFileArgs(ctx, values);
      return changeResult(await (await ctx.engine()).changeKey(actor, instance!, { kind: 'upload', upload }), instance!);
    },
  },
  {
    path: ['key', 'revert'],
    usage: 'dualkey key revert <instance> --token-file <f>',
    options: { as: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [instance], values) {
      const actor = await ctx.actor(str(values, 'as'));
      return changeResult(await (await ctx.engine()).changeKey(actor, instance!, { kind: 'revert' }), instance!);
    },
  },
  {
    path: ['key', 'kek'],
    usage: 'dualkey key kek --out <kek.pem>',
    options: { out: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, values) {
      const out = str(values, 'out');
      if (!out) throw new UsageError('--out <kek.pem> is required');
      const tenant = await ctx.tenant();
      const kek = await (await ctx.engine()).ensureKek('operator', tenant.id);
      await writeFile(path.resolve(ctx.io.cwd, out), kek.publicKeyPem);
      return { json: { kekId: kek.kekId, out }, text: `Key-exchange key ${kek.kekId} written to ${out}. Give both to your HSM's BYOK export tool.` };
    },
  },
];
