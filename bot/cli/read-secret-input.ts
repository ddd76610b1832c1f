import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

/** Reads a password from --password-file (first line) or an interactive prompt; never from an argument. */
export async function readPassword(io: CliIo, passwordFile: string | undefined, opts: { required: boolean; confirm?: boolean }): Promise<string | undefined> {
  if (passwordFile) {
    const text = await readFile(path.resolve(io.cwd, passwordFile), 'utf8').catch(() => {
      throw new UsageError(`cannot read the password file ${passwordFile}`);
    });
    // The first line only: files written by `echo` end with a newline that is not part of the password.
    return text.split(/\r?\n/)[0] ?? '';
  }
  if (!opts.required) return undefined;
  const first = await io.promptSecret('Password: ');
  if (first === null) throw new UsageError('a password is needed: pass --password-file <file> or run in a terminal to be prompted');
  if (opts.confirm) {
    const again = await io.promptSecret('Password again: ');
    if (again !== first) throw new UsageError('the two passwords differ');
  }
  return first;
}

/** Reads a file the user named on the command line. */
export async function readInputFile(io: CliIo, file: string, what: string): Promise<Buffer> {
  return readFile(path.resolve(io.cwd, file)).catch(() => {
    throw new UsageError(`cannot read the ${what} ${file}`);
  });
}
