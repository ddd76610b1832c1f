import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAuditHead } from '../../../core/audit/parse-audit-head.js';
import { DomainError } from '../../../core/errors.js';
import { type CliCommand, str } from '../cli-command.js';
import { readInputFile } from '../read-secret-input.js';
import { UsageError } from '../usage-error.js';

/** backup create|restore, audit, audit verify. */
export const backupAuditCommands: CliCommand[] = [
  {
    path: ['backup', 'create'],
    usage: 'dualkey backup create <instance> --out <f>',
    options: { out: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [name], values) {
      const out = str(values, 'out');
      if (!out) throw new UsageError('--out <file> is required');
      const bytes = await (await ctx.engine()).createBackup((await ctx.tenant()).id, name!);
      await writeFile(path.resolve(ctx.io.cwd, out), bytes, { mode: 0o600 });
      return { json: { instance: name, out, bytes: bytes.length }, text: `Backup of ${name} written to ${out} (records stay encrypted).` };
    },
  },
  {
    path: ['backup', 'restore'],
    usage: 'dualkey backup restore <instance> --in <f>',
    options: { in: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [name], values) {
      const input = str(values, 'in');
      if (!input) throw new UsageError('--in <file> is required');
      const bytes = await readInputFile(ctx.io, input, 'backup file');
      const r = await (await ctx.engine()).restoreBackup((await ctx.tenant()).id, name!, bytes);
      return { json: { instance: name, records: r.records }, text: `Restored ${r.records} records into ${name}.` };
    },
  },
  {
    path: ['audit', 'verify'],
    usage: 'dualkey audit verify [--against <seq>:<hash>]',
    options: { against: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, values) {
      const raw = str(values, 'against');
      const against = raw === undefined ? null : parseAuditHead(raw);
      const verdict = await (await ctx.engine()).verifyAudit(against);
      if (!verdict.ok) {
        throw new DomainError('audit_chain_broken', `The audit chain is broken at entry ${verdict.firstBadSeq}: ${verdict.reason}. Entries before it verified (${verdict.entries}).`, {
          firstBadSeq: verdict.firstBadSeq,
        });
      }
      const keyed =
        verdict.keyedFrom === null
          ? verdict.entries === 0 ? 'no entries yet' : `no entry is keyed yet: all ${verdict.entries} were written before keyed audit and nothing seals them`
          : verdict.legacyEntries > 0
            ? `keyed protection begins at entry ${verdict.keyedFrom}; entries 1..${verdict.legacyEntries} were written before keyed audit and are sealed by it`
            : 'every entry keyed';
      const anchored = verdict.against ? `, contains ${verdict.against.seq}:${verdict.against.hashPrefix}` : '';
      return { json: verdict, text: `Audit chain intact: ${verdict.entries} entries, head ${verdict.headSeq}:${verdict.headHash.slice(0, 8)} (${verdict.headHash})${anchored}; ${keyed}.` };
    },
  },
  {
    path: ['audit'],
    usage: 'dualkey audit [--instance <i>]',
    options: { instance: { type: 'string' }, limit: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, values) {
      const tenant = await ctx.tenant();
      const limit = Number(str(values, 'limit') ?? 100);
      const entries = await (await ctx.engine()).listAudit({ tenantId: tenant.id, instanceName: str(values, 'instance') }, Number.isFinite(limit) ? limit : 100);
      const json = entries.map((e) => ({ seq: e.seq, at: e.at.toISOString(), actor: e.actor.email ?? e.actor.kind, impersonatedBy: e.actor.impersonatedBy, transport: e.transport, action: e.action, instance: e.instanceName, request: e.requestId, result: e.result, code: e.code, details: e.details }));
      return { json, text: json.map((e) => `#${e.seq} ${e.at} ${e.actor}${e.impersonatedBy ? ' (via operator CLI)' : ''} [${e.transport}] ${e.action}${e.instance ? ` ${e.instance}` : ''}${e.request ? ` ${e.request}` : ''} → ${e.result}${e.code ? ` (${e.code})` : ''}`).join('\n') || 'No audit entries.' };
    },
  },
];
