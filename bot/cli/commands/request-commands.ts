import type { Decision } from '../../../core/lifecycle/decide-request.js';
import { type CliCommand, str } from '../cli-command.js';
import { DomainError } from '../../../core/errors.js';
import { publicUrlOf } from '../../runtime/config.js';
import { isStepUpRefusal, stepUpLink } from '../../commands/step-up-link.js';
import { describeProgress } from '../../../core/alerts/approval-message.js';

const decisionCommand = (decision: Decision): CliCommand => ({
  path: [decision],
  usage: `dualkey ${decision} <request-id> --token-file <f> [--reason <text>]`,
  options: { as: { type: 'string' }, reason: { type: 'string' } },
  args: [1, 1],
  async run(ctx, [id], values) {
    const actor = await ctx.actor(str(values, 'as'));
    const engine = await ctx.engine();
    const r = await engine.decide(actor, id!, decision, str(values, 'reason') ?? null).catch(async (e: unknown) => {
      if (!isStepUpRefusal(e)) throw e;
      // A CLI token cannot decide where the tenant wants a passkey: the refusal carries a one-time console link instead.
      const link = await stepUpLink(engine, actor, e, publicUrlOf(ctx.config));
      // The link is a credential: it goes in its own field to this admin's terminal, never into the message text.
      throw link ? new DomainError(e.code, `${e.message} Open the one-time link below (works once, for you, for 10 minutes).`, { ...e.details, link: link.url }) : e;
    });
    if (r.progress) {
      // A k-of-n approval short of its count: recorded, and the request stays open for the other approvers.
      const approvers = r.progress.approvers.map((a) => a.email);
      return { json: { request: r.id, type: r.type, state: r.state, approvals: approvers.length, required: r.progress.required, approvers }, text: `${r.id} (${r.type.replace('_', ' ')}): your approval is recorded — ${describeProgress(r.progress)}. It stays pending until ${r.progress.required - approvers.length} more approve.` };
    }
    return {
      json: { request: r.id, type: r.type, state: r.state, decidedAt: r.decidedAt?.toISOString() ?? null, ...(r.approvedWith ? { approvedWith: r.approvedWith } : {}) },
      text: `${r.id} (${r.type.replace('_', ' ')}) is now ${r.state.replace(/_/g, ' ')}${r.approvedWith ? ` (approved with ${r.approvedWith.join(', ')})` : ''}.`,
    };
  },
});

/** requests, approve, rollback, reject, sweep. */
export const requestCommands: CliCommand[] = [
  {
    path: ['requests'],
    usage: 'dualkey requests [--all]',
    options: { all: { type: 'boolean' } },
    args: [0, 0],
    async run(ctx, _args, values) {
      const list = await (await ctx.engine()).listRequests((await ctx.tenant()).id, values.all === true);
      const json = list.map((r) => ({ id: r.id, type: r.type, instance: r.instanceName, state: r.state, requestedBy: r.requesterEmail, deadline: r.deadline.toISOString(), ...(r.type === 'settings_change' ? { summary: String(r.payload.summary ?? '') } : {}), ...(r.progress ? { approvals: r.progress.approvers.length, required: r.progress.required, approvers: r.progress.approvers.map((a) => a.email) } : {}) }));
      return { json, text: json.map((r) => `${r.id}  ${r.type}  ${r.instance ?? '-'}  ${r.state}${r.required ? ` (${r.approvals} of ${r.required} approvals${r.approvers?.length ? `: ${r.approvers.join(', ')}` : ''})` : ''}  by ${r.requestedBy}  deadline ${r.deadline}${r.summary ? `  (${r.summary})` : ''}`).join('\n') || 'No requests.' };
    },
  },
  decisionCommand('approve'),
  decisionCommand('rollback'),
  decisionCommand('reject'),
  {
    path: ['sweep'],
    usage: 'dualkey sweep',
    options: {},
    args: [0, 0],
    async run(ctx) {
      const engine = await ctx.engine();
      const recovery = await engine.recover();
      const decided = await engine.sweep();
      const drainsEnded = await engine.sweepDrains();
      const json = { recovery, decided: decided.map((r) => ({ id: r.id, type: r.type, state: r.state })), drainsEnded };
      return { json, text: `Recovery: ${recovery.completed} completed, ${recovery.compensated} compensated, ${recovery.deferred} deferred. Deadlines applied: ${decided.length}${decided.map((r) => `\n  ${r.id} → ${r.state}`).join('')}${drainsEnded ? `\nLock drain windows ended: ${drainsEnded}` : ''}` };
    },
  },
];
