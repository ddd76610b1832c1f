import { pgTable, text, timestamp } from './columns.js';

/** The alert channels the deployment's server delivers on, as `serve` recorded them at its last start (DESIGN §5: stored state). */
export const deploymentChannels = pgTable('deployment_channels', {
  channel: text('channel').primaryKey(),
  recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull(),
});
