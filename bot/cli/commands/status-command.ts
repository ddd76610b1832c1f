import { describeCustody } from '../../../core/setup/describe-custody.js';
import type { CliCommand } from '../cli-command.js';

/** status [<instance>]: one JSON object for a named instance, an array otherwise. */
export const statusCommand: CliCommand = {
  path: ['status'],
  usage: 'dualkey status [<instance>]',
  options: {},
  args: [0, 1],
  async run(ctx, [name]) {
    const list = await (await ctx.engine()).status((await ctx.tenant()).id, name);
    const text = list
      .map((s) =>
        [
          `${s.instance}: ${s.state}, ${s.keyMode === 'customer' ? 'customer-managed' : 'service-managed'} key ${s.protector.name} (${s.protector.fingerprint})`,
          s.lockAllowedAt ? `  lock allowed from ${s.lockAllowedAt}` : null,
          describeCustody(s) ? `  ${describeCustody(s)}` : null,
          s.pendingRequest ? `  pending ${s.pendingRequest.type} ${s.pendingRequest.id} until ${s.pendingRequest.deadline}` : null,
        ].filter(Boolean).join('\n'),
      )
      .join('\n');
    return { json: name ? list[0] : list, text: text || 'No instances yet.' };
  },
};
