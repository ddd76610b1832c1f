import { parsePfx } from '../../../core/keyfiles/parse-pfx.js';
import { parseByokFile } from '../../../core/keyfiles/byok.js';
import { detectKeyFileFormat } from '../../../core/keyfiles/read-key-file.js';
import { readUploadedKey } from '../../../core/lifecycle/read-uploaded-key.js';
import { type CliCommand, str } from '../cli-command.js';
import { readInputFile, readPassword } from '../read-secret-input.js';

/** keyfile inspect: validates a key file exactly as an upload would, without changing anything. */
export const keyfileInspectCommand: CliCommand = {
  path: ['keyfile', 'inspect'],
  usage: 'dualkey keyfile inspect <file> [--password-file <f>]',
  options: { 'password-file': { type: 'string' } },
  args: [1, 1],
  async run(ctx, [name], values) {
    const file = await readInputFile(ctx.io, name!, 'key file');
    const format = detectKeyFileFormat(file);
    let key;
    if (format === 'pfx') {
      key = parsePfx(file, await readPassword(ctx.io, str(values, 'password-file'), { required: true }));
    } else {
      parseByokFile(file); // refuse a malformed file before opening the database
      const engine = await ctx.engine();
      key = (await readUploadedKey(engine.deps.vault, await ctx.tenant(), { file })).key;
    }
    key.privateKeyPkcs8.fill(0);
    const json = { format, keyType: key.keyType, bits: key.bits, fingerprint: key.fingerprint };
    return { json, text: `${format.toUpperCase()} file: ${key.keyType.toUpperCase()} ${key.bits} bits, fingerprint ${key.fingerprint}` };
  },
};
