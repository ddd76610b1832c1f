import type { CliCommand } from '../cli-command.js';
import { str } from '../cli-command.js';

/** digest: prints the digest an admin would receive, without sending it. */
export const digestCommand: CliCommand = {
  path: ['digest'],
  usage: 'dualkey digest [--admin <email>]',
  options: { admin: { type: 'string' } },
  args: [0, 0],
  async run(ctx, _args, values) {
    const engine = await ctx.engine();
    const tenant = await ctx.tenant();
    const email = str(values, 'admin');
    const admin = email ? await engine.adminByEmail(tenant.id, email) : null;
    const { facts, message } = await engine.buildDigest(tenant.id);
    const heading = admin ? `${message.title}\n(as ${admin.name} <${admin.email}> would receive it)` : message.title;
    const width = Math.max(...message.facts.map(([k]) => k.length));
    return {
      json: { tenant: tenant.name, admin: admin?.email ?? null, title: message.title, facts, lines: message.facts.map(([k, v]) => ({ label: k, value: v })) },
      text: [heading, '', ...message.facts.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n'),
    };
  },
};
