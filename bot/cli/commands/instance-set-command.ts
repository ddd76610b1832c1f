import { type CliCommand, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';

/** instance set <instance> --offline-hook <url|none>: an admin's instance setting (the hook's secret is printed once). */
export const instanceSetCommand: CliCommand = {
  path: ['instance', 'set'],
  usage: 'dualkey instance set <instance> --token-file <f> --offline-hook <https url|none>',
  options: { as: { type: 'string' }, 'offline-hook': { type: 'string' } },
  args: [1, 1],
  async run(ctx, [instance], values) {
    const hook = str(values, 'offline-hook');
    if (hook === undefined) throw new UsageError('say what to change: --offline-hook <https url> (or --offline-hook none to remove it)');
    const actor = await ctx.actor(str(values, 'as'));
    const r = await (await ctx.engine()).setOfflineHook(actor, instance!, hook === 'none' ? null : hook);
    if (!r.url) return { json: { instance: r.instance, offlineHook: null }, text: `Removed the offline hook of ${r.instance}: a lock now refuses its database keys at once.` };
    return {
      json: { instance: r.instance, offlineHook: r.url, secret: r.secret },
      text: [
        `Offline hook of ${r.instance}: ${r.url}.`,
        `Signing secret (shown once; the receiver checks X-Dualkey-Signature = sha256=HMAC-SHA256(secret, "<X-Dualkey-Timestamp>.<body>")):`,
        r.secret!,
      ].join('\n'),
    };
  },
};
