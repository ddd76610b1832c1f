import { parsePfx, refuseUnprotectedPfx } from '../../../core/keyfiles/parse-pfx.js';
import { parseByokFile } from '../../../core/keyfiles/byok.js';
import { detectKeyFileFormat } from '../../../core/keyfiles/read-key-file.js';
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
    if (format === 'pfx') {
      // An unprotected file is refused as such (exit 1), not with "a password is needed" (usage).
      if (!str(values, 'password-file')) refuseUnprotectedPfx(file);
      const key = parsePfx(file, await readPassword(ctx.io, str(values, 'password-file'), { required: true }));
      key.privateKeyPkcs8.fill(0);
      const json = { format, keyType: key.keyType, bits: key.bits, fingerprint: key.fingerprint };
      return { json, text: `PFX file: RSA ${key.bits} bits, fingerprint ${key.fingerprint}` };
    }
    parseByokFile(file); // refuse a malformed file before opening the database
    const engine = await ctx.engine();
    // The key store unwraps the file under a throwaway id and destroys it again: the key never enters this process.
    const key = await engine.inspectUpload(await ctx.tenant(), null, { file });
    const json = { format, keyType: 'rsa', bits: key.bits, fingerprint: key.fingerprint };
    return { json, text: `BYOK file: RSA ${key.bits} bits, fingerprint ${key.fingerprint}` };
  },
};
