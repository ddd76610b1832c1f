import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DomainError } from '../../../core/errors.js';
import { type CliCommand, str } from '../cli-command.js';

/** demo (= npm run demo): the server on a fresh data directory with a demo tenant, and a sign-in link per admin. */
export const demoCommand: CliCommand = {
  path: ['demo'],
  usage: 'dualkey demo [--data-dir <new directory>]   (default: a new temporary directory; never DUALKEY_DATA_DIR)',
  options: { 'data-dir': { type: 'string' } },
  args: [0, 0],
  async run(ctx, _args, values) {
    if (ctx.config.DATABASE_URL) {
      throw new DomainError('demo_needs_fresh_data_dir', 'The demo runs only on the embedded database of a new data directory, never on a PostgreSQL server: unset DATABASE_URL.');
    }
    const given = str(values, 'data-dir');
    // The demo never opens the installation DUALKEY_DATA_DIR points at: its own new directory, or one named for it.
    const dataDir = given ? path.resolve(ctx.io.cwd, given) : mkdtempSync(path.join(tmpdir(), 'dualkey-demo-'));
    if (given && existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new DomainError('demo_needs_fresh_data_dir', `${dataDir} already exists: the demo seeds its own tenant and admins and never touches an existing installation. Remove it, name a new directory with --data-dir, or leave --data-dir out for a temporary one.`, { dataDir });
    }
    const config = { ...ctx.config, DUALKEY_DATA_DIR: dataDir, DUALKEY_VAULT: 'local' as const, DUALKEY_MASTER_KEY_FILE: undefined, DUALKEY_VAULT_KEY_DIR: undefined };
    await ctx.serve({ config, onStarted: async (server) => {
      const { seedDemo } = await import('../demo-seed.js');
      const admins = await seedDemo(server.runtime.engine);
      const base = (ctx.config.PUBLIC_URL ?? server.url).replace(/\/$/, '');
      const lines = [
        `dualkey demo is running at ${base}/console/ (data in ${dataDir}).`,
        'Tenant "demo": instances crm-prod, hr-prod and billing-dev with sample records. Sign-in links (single use, valid 10 minutes):',
        ...admins.map((a) => `  ${a.admin.name} (${a.role}, ${a.admin.email}): ${base}/console/sign-in/${a.signInToken}`),
        'Open these in two different browsers (or a private window) to play the two-person rule:',
        'Ann makes a key change, Bob approves or rolls it back; Ann cannot approve her own. Stop with Ctrl-C.',
      ];
      ctx.io.stdout(`${lines.join('\n')}\n`);
    } });
    return { json: { stopped: true }, text: 'dualkey demo stopped.' };
  },
};
