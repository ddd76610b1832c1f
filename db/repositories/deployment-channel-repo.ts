import { asc, notInArray } from 'drizzle-orm';
import type { Channel } from '../../core/model/outbox-message.js';
import type { DeploymentChannelRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { deploymentChannels } from '../schema/index.js';

/** The deployment's recorded alert channels (one row per channel). */
export function deploymentChannelRepo(tx: Drizzle): DeploymentChannelRepo {
  return {
    async list() {
      const rows = await tx.select({ channel: deploymentChannels.channel }).from(deploymentChannels).orderBy(asc(deploymentChannels.channel));
      return rows.map((r) => r.channel as Channel);
    },
    async replace(channels, at) {
      if (channels.length === 0) await tx.delete(deploymentChannels);
      else await tx.delete(deploymentChannels).where(notInArray(deploymentChannels.channel, [...channels]));
      if (channels.length > 0) {
        await tx.insert(deploymentChannels).values(channels.map((channel) => ({ channel, recordedAt: at }))).onConflictDoUpdate({ target: deploymentChannels.channel, set: { recordedAt: at } });
      }
    },
  };
}
