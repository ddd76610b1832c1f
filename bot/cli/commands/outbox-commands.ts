import { deliverOutbox } from '../../../core/alerts/deliver-outbox.js';
import { ConfigError } from '../../runtime/config.js';
import { type CliCommand, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';

/** outbox deliver, outbox --failed. */
export const outboxCommands: CliCommand[] = [
  {
    path: ['outbox', 'deliver'],
    usage: 'dualkey outbox deliver',
    options: {},
    args: [0, 0],
    async run(ctx) {
      // Loaded here, not at start: every other command (status first) must not import nodemailer or the Teams SDK.
      const { createChannels } = await import('../../channels/create-channels.js');
      const channels = createChannels(ctx.config);
      // Without a channel every row would be marked failed for good: refuse instead of burning the queue.
      if (Object.keys(channels).length === 0) {
        throw new ConfigError('No alert channel is configured, so nothing was delivered: set SMTP_URL (e.g. smtp://user:pass@mail.example.com:587) to send e-mail alerts.');
      }
      const report = await deliverOutbox((await ctx.engine()).deps, { channels }).finally(() => Promise.allSettled(Object.values(channels).map((c) => c?.close?.())));
      return { json: report, text: `Sent ${report.sent} alert(s); ${report.retried} will be retried later; ${report.failed} failed for good; ${report.skipped} no longer needed.` };
    },
  },
  {
    path: ['outbox'],
    usage: 'dualkey outbox --failed [--limit <n>]',
    options: { failed: { type: 'boolean' }, limit: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, values) {
      if (values.failed !== true) throw new UsageError('say what to show: --failed lists alerts that could not be delivered (or run "dualkey outbox deliver")');
      const limit = Number(str(values, 'limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
      // Every tenant unless --tenant names one: the operator looks after the whole queue.
      const tenantId = typeof values.tenant === 'string' ? (await ctx.tenant()).id : null;
      const engine = await ctx.engine();
      const rows = await engine.deps.uow.run(async (store) => {
        const failed = await store.outbox.failed(tenantId, limit);
        const emails = new Map<string, string | null>();
        for (const id of new Set(failed.flatMap((r) => (r.adminId ? [r.adminId] : [])))) emails.set(id, (await store.admins.byId(id))?.email ?? null);
        return failed.map((r) => ({ row: r, email: r.adminId ? (emails.get(r.adminId) ?? null) : r.address }));
      });
      const json = rows.map(({ row, email }) => ({
        id: row.id,
        channel: row.channel,
        recipient: email,
        title: row.message.title,
        attempts: row.attempts,
        lastError: row.lastError,
        createdAt: row.createdAt.toISOString(),
      }));
      const text = json.map((r) => `${r.id}  ${r.createdAt}  ${r.channel} → ${r.recipient ?? '(removed admin)'}  "${r.title}"  after ${r.attempts} attempt(s): ${r.lastError ?? 'no error recorded'}`).join('\n');
      return { json, text: text || 'No failed alerts.' };
    },
  },
];
