import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

/** Reads a personal CLI token from `--token-file` (its first line); a token is never taken from the command line. */
export async function readTokenFile(io: CliIo, file: string): Promise<string> {
  const text = await readFile(path.resolve(io.cwd, file), 'utf8').catch(() => {
    throw new UsageError(`cannot read the token file ${file}`);
  });
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (!token) throw new UsageError(`the token file ${file} is empty: paste the token shown once when you created it`);
  return token;
}
