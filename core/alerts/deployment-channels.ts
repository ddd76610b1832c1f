import type { EngineDeps } from '../engine-deps.js';
import type { Channel } from '../model/outbox-message.js';
import { channelsOf } from './fan-out-alert.js';

/** Who a tenant's alerts can reach outside the console inbox, from the stored deployment channels. */
export interface AlertReach {
  /** Channels the deployment's server recorded (empty: only the console inbox). */
  channels: Channel[];
  admins: number;
  /** Admins with at least one of those channels (every admin has an e-mail address; chat needs a linked identity). */
  reachable: number;
}

/** Records the channels `serve` delivers on, so every process of the deployment writes alerts for exactly these. */
export async function recordDeploymentChannels(deps: EngineDeps, channels: readonly Channel[]): Promise<void> {
  const at = deps.clock.now();
  await deps.uow.run((store) => store.deploymentChannels.replace([...new Set(channels)].sort(), at));
}

/** The channels alerts are written for, and how many of the tenant's admins they reach. */
export async function alertReach(deps: EngineDeps, tenantId: string): Promise<AlertReach> {
  return deps.uow.run(async (store) => {
    const channels = await store.deploymentChannels.list();
    const admins = await store.admins.list(tenantId);
    return { channels, admins: admins.length, reachable: admins.filter((a) => channelsOf(a, channels).length > 0).length };
  });
}

/** One sentence for the reply to a change: who was told where, and plainly when nobody could be told outside the console. */
export function alertReachNotice(reach: AlertReach): string {
  if (reach.channels.length === 0 || reach.reachable === 0) {
    return 'Nobody could be told outside the console: this deployment has no alert channel (dualkey serve has recorded no SMTP_URL, Slack or Teams configuration). Every admin sees it in their console inbox; configure a channel on the server so admins hear of changes.';
  }
  const where = `${reach.channels.join(', ')} and the console inbox`;
  const unreachable = reach.admins - reach.reachable;
  return unreachable === 0
    ? `Every admin has been alerted (${where}).`
    : `Admins have been alerted (${where}); ${unreachable} of ${reach.admins} can only be told in their console inbox (no linked chat identity on the enabled channels).`;
}
