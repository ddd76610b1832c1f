import { alertReachNotice } from '../../core/alerts/deployment-channels.js';
import type { Engine } from '../../core/engine.js';
import type { Tenant } from '../../core/model/tenant.js';
import type { CliResult } from './cli-command.js';

/** Commands whose success alerts every admin: their reply says who could be told, and where. */
const ALERTING = new Set(['key new', 'key upload', 'key revert', 'lock', 'unlock', 'approve', 'rollback', 'reject', 'admin add', 'admin remove', 'admin link', 'admin unlink', 'instance set', 'db-keys init', 'db-keys rotate', 'tenant set']);

/** Adds the alert reach (stored deployment channels) to the reply of an alerting command. */
export async function withAlertReach(path: string[], result: CliResult, engine: () => Promise<Engine>, tenant: () => Promise<Tenant>): Promise<CliResult> {
  if (!ALERTING.has(path.join(' '))) return result;
  const e = await engine();
  const reach = await e.alertReach((await tenant()).id);
  const notice = alertReachNotice(reach);
  const json = result.json && typeof result.json === 'object' && !Array.isArray(result.json) ? { ...result.json, alerted: { channels: reach.channels, notice } } : result.json;
  return { ...result, json, text: result.text ? `${result.text}\n${notice}` : notice };
}
