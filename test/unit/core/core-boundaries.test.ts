import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function restrictedIn(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('the core/ boundary lint rule', () => {
  it.each([
    ["import { openDatabase } from '../db/open-database.js';", 'adapters'],
    ["import { LocalVault } from '../../vault/local-vault.js';", 'adapters'],
    ["import { runCli } from '../bot/cli/run-cli.js';", 'adapters'],
    ["import { eq } from 'drizzle-orm';", 'drizzle'],
    ["import postgres from 'postgres';", 'drivers'],
    ["import { PGlite } from '@electric-sql/pglite';", 'drivers'],
    ["import { App } from '@slack/bolt';", 'SDK'],
    ["import { KeyClient } from '@azure/keyvault-keys';", 'SDK'],
  ])('fails when core imports %s', async (line, what) => {
    const messages = await restrictedIn('core/lifecycle/example.ts', `${line}\nexport const x = 1;\n`);
    expect(messages.join('\n')).toContain(what === 'adapters' ? 'must not import adapters' : what === 'SDK' ? 'must not import SDKs' : 'database drivers or drizzle');
  });

  it('fails when core reads the wall clock', async () => {
    expect(await restrictedIn('core/lifecycle/example.ts', 'export const t = Date.now();\nexport const d = new Date();\n')).toHaveLength(2);
  });

  it('allows the same imports outside core/', async () => {
    expect(await restrictedIn('bot/example.ts', "import { eq } from 'drizzle-orm';\nexport const x = eq;\nexport const t = Date.now();\n")).toEqual([]);
  });
});
