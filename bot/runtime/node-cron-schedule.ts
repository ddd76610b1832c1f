import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { DigestSchedule } from '../../core/ports/digest-schedule.js';

/** Cron matching by node-cron (timezone-aware); the scheduler's own clock decides which minute to ask about. */
export function nodeCronSchedule(): DigestSchedule {
  const tasks = new Map<string, ScheduledTask>();
  return {
    isValid: (cron) => validate(cron),
    firesAt(cron, timezone, minute) {
      const key = `${timezone}\u0000${cron}`;
      let task = tasks.get(key);
      if (!task) {
        // Never started: used only to evaluate the expression in the tenant's timezone.
        task = createTask(cron, () => undefined, { timezone });
        tasks.set(key, task);
      }
      return task.match(minute);
    },
  };
}
