import { DomainError, isDomainError } from '../../../core/errors.js';
import { publicUrlOf } from '../../runtime/config.js';
import { type CliCommand, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';
import { readKeyFileArgs } from './key-commands.js';

/** lock, unlock. */
export const lockCommands: CliCommand[] = [
  {
    path: ['lock'],
    usage: 'dualkey lock <instance> --token-file <f> --confirm <instance> --file <f> [--password-file <f>]',
    options: { as: { type: 'string' }, confirm: { type: 'string' }, file: { type: 'string' }, 'password-file': { type: 'string' } },
    args: [1, 1],
    async run(ctx, [instance], values) {
      const confirm = str(values, 'confirm');
      if (confirm === undefined) throw new UsageError(`--confirm <instance> is required: type the instance name (${instance}) to confirm`);
      const actor = await ctx.actor(str(values, 'as'));
      const upload = await readKeyFileArgs(ctx, values);
      const r = await (await ctx.engine()).requestLock(actor, instance!, { confirm, upload });
      return {
        json: { request: r.id, instance, state: r.state, deadline: r.deadline.toISOString() },
        text: `Lock of ${instance} requested as ${r.id}. Nothing changes until another administrator approves it (before ${r.deadline.toISOString()}).`,
      };
    },
  },
  {
    path: ['unlock'],
    usage: 'dualkey unlock <instance> --token-file <f> --file <f> [--password-file <f>]',
    options: { as: { type: 'string' }, file: { type: 'string' }, 'password-file': { type: 'string' } },
    args: [1, 1],
    async run(ctx, [instance], values) {
      const actor = await ctx.actor(str(values, 'as'));
      const upload = await readKeyFileArgs(ctx, values);
      const engine = await ctx.engine();
      const i = await engine.unlock(actor, instance!, upload).catch(async (e: unknown) => {
        if (!isDomainError(e) || e.code !== 'step_up_required' || e.details.operation !== 'unlock' || actor.impersonatedBy) throw e;
        // Where the tenant wants a passkey for unlock, the CLI answers with this admin's one-time unlock page, as chat does.
        const { token } = await engine.issuePageLink(actor, 'unlock', instance!);
        // The link is a credential: its own field, for this admin's terminal, never the message text.
        throw new DomainError(e.code, `${e.message} Open the one-time link below (works once, for you, for 10 minutes).`, { ...e.details, link: `${publicUrlOf(ctx.config).replace(/\/$/, '')}/pages/${token}` });
      });
      return { json: { instance: i.name, state: i.state }, text: `${i.name} is unlocked and online again.` };
    },
  },
];
