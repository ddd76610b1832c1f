import { nodeCronSchedule } from '../../runtime/node-cron-schedule.js';
import type { TenantSettingsChange } from '../../../core/setup/update-tenant-settings.js';
import { type CliCommand, type CliValues, str } from '../cli-command.js';
import { UsageError } from '../usage-error.js';
import { STEP_UP_OPERATIONS } from '../../../core/step-up/step-up-policy.js';
import { APPROVAL_SETTINGS } from '../../../core/model/tenant.js';

function hours(values: CliValues, name: string): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number of hours`);
  return n;
}

function seconds(values: CliValues, name: string): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v)) throw new UsageError(`--${name} must be a whole number of seconds`);
  return Number(v);
}

/** --step-up off | passkey (every operation, or those of --step-up-operations). */
function stepUpOf(values: CliValues): string[] | undefined {
  const mode = str(values, 'step-up');
  const ops = str(values, 'step-up-operations');
  if (mode === undefined && ops === undefined) return undefined;
  if (mode !== undefined && mode !== 'off' && mode !== 'passkey') throw new UsageError('--step-up is off or passkey');
  if (mode === 'off') {
    if (ops !== undefined) throw new UsageError('--step-up off takes no --step-up-operations');
    return [];
  }
  return ops === undefined ? [...STEP_UP_OPERATIONS] : ops.split(',').map((o) => o.trim()).filter(Boolean);
}

const APPROVAL_TYPES: Record<string, keyof typeof APPROVAL_SETTINGS> = { key_change: 'key_change', lock: 'lock', admin_change: 'admin_change', roster: 'admin_change' };

/** --approvals-required key_change=2,lock=2,admin_change=2 (any subset; `roster` is accepted for admin_change): the k-of-n counts. */
function approvalsOf(values: CliValues): Partial<Record<(typeof APPROVAL_SETTINGS)[keyof typeof APPROVAL_SETTINGS], number>> {
  const v = str(values, 'approvals-required');
  if (v === undefined) return {};
  const out: Partial<Record<(typeof APPROVAL_SETTINGS)[keyof typeof APPROVAL_SETTINGS], number>> = {};
  for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(\d{1,2})$/.exec(part);
    const type = m ? APPROVAL_TYPES[m[1]!] : undefined;
    if (!m || !type) throw new UsageError('--approvals-required takes key_change=<n>,lock=<n>,admin_change=<n> (any of them; n from 1 to 9)');
    // The range (1..9) and whether the roster can meet it are the engine's to check, with their own codes.
    out[APPROVAL_SETTINGS[type]] = Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw new UsageError('--approvals-required takes key_change=<n>,lock=<n>,admin_change=<n>');
  return out;
}

/**
 * tenant set: the plan entitlement and the tenant's rule settings. The operator applies directly until the tenant has two
 * global admins, then only changes that do not weaken protection; with --as a global admin requests it (weakening → settings_change request).
 */
export const tenantSetCommand: CliCommand = {
  path: ['tenant', 'set'],
  usage:
    'dualkey tenant set [--tenant <t>] [--self-managed-keys | --no-self-managed-keys] [--review-window-hours <h>] [--lock-cooldown-hours <h>] [--lock-approval-ttl-hours <h>] [--unreviewed-policy rollback|keep] [--digest-cron "<cron>"] [--timezone <IANA zone>] [--slack-alert-channel <C…|none>] [--lock-drain-seconds <s>] [--step-up off|passkey] [--step-up-operations approve_key_change,approve_lock,rollback,approve_roster,unlock] [--approvals-required key_change=<n>,lock=<n>,admin_change=<n>] [--token-file <f of a global admin>]',
  options: {
    'self-managed-keys': { type: 'boolean' },
    'no-self-managed-keys': { type: 'boolean' },
    'review-window-hours': { type: 'string' },
    'lock-cooldown-hours': { type: 'string' },
    'lock-approval-ttl-hours': { type: 'string' },
    'unreviewed-policy': { type: 'string' },
    'digest-cron': { type: 'string' },
    timezone: { type: 'string' },
    'slack-alert-channel': { type: 'string' },
    'lock-drain-seconds': { type: 'string' },
    'step-up': { type: 'string' },
    'step-up-operations': { type: 'string' },
    'approvals-required': { type: 'string' },
    as: { type: 'string' },
  },
  args: [0, 0],
  async run(ctx, _args, values) {
    if (values['self-managed-keys'] && values['no-self-managed-keys']) throw new UsageError('choose --self-managed-keys or --no-self-managed-keys, not both');
    const policy = str(values, 'unreviewed-policy');
    if (policy !== undefined && policy !== 'rollback' && policy !== 'keep') throw new UsageError('--unreviewed-policy is rollback or keep');
    const channel = str(values, 'slack-alert-channel');
    const change: TenantSettingsChange = {
      ...(values['self-managed-keys'] ? { selfManagedKeys: true } : values['no-self-managed-keys'] ? { selfManagedKeys: false } : {}),
      reviewWindowHours: hours(values, 'review-window-hours'),
      lockCooldownHours: hours(values, 'lock-cooldown-hours'),
      lockApprovalTtlHours: hours(values, 'lock-approval-ttl-hours'),
      unreviewedChangePolicy: policy,
      digestCron: str(values, 'digest-cron'),
      timezone: str(values, 'timezone'),
      slackAlertChannel: channel === undefined ? undefined : channel === 'none' ? null : channel,
      lockDrainSeconds: seconds(values, 'lock-drain-seconds'),
      stepUp: stepUpOf(values),
      ...approvalsOf(values),
    };
    if (Object.values(change).every((v) => v === undefined)) throw new UsageError('say what to change, e.g. --timezone Europe/Paris');
    // An admin's own token (or --as in local development) requests; without either, the operator acts.
    const actor = await ctx.actingAdmin(str(values, 'as'));
    if (actor) {
      const r = await (await ctx.engine()).requestSettingsChange(actor, change, nodeCronSchedule());
      const applied = r.applied.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', ');
      return {
        json: { tenant: r.tenant.name, applied: r.applied, request: r.request ? { id: r.request.id, summary: r.request.payload.summary, deadline: r.request.deadline.toISOString() } : null, settings: r.tenant.settings },
        text: [applied ? `Applied at once: ${applied}.` : '', r.request ? `Opened ${r.request.id}: ${String(r.request.payload.summary)} weakens protection and applies only when another global admin approves (before ${r.request.deadline.toISOString()}).` : ''].filter(Boolean).join(' '),
      };
    }
    const tenant = await (await ctx.engine()).updateTenantSettings((await ctx.tenant()).id, change, nodeCronSchedule());
    return { json: { tenant: tenant.name, selfManagedKeys: tenant.selfManagedKeys, settings: tenant.settings }, text: `Updated tenant ${tenant.name}: ${JSON.stringify({ selfManagedKeys: tenant.selfManagedKeys, ...tenant.settings })}` };
  },
};
