import type { Channel } from '../../core/model/outbox-message.js';
import { createChannels } from '../channels/create-channels.js';
import type { Config } from './config.js';

/**
 * The channels this deployment delivers on — the ones `createChannels` can build from the configuration
 * (DESIGN §5: e-mail when SMTP is configured). CLI runs and the server derive it the same way, so
 * alerts are written exactly for the channels the server will deliver on.
 */
export function enabledChannels(config: Config): Channel[] {
  return Object.keys(createChannels(config)) as Channel[];
}
