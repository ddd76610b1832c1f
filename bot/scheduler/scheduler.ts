import type { DeliveryReport } from '../../core/alerts/deliver-outbox.js';
import type { Engine } from '../../core/engine.js';
import type { Channel } from '../../core/model/outbox-message.js';
import type { AlertChannel } from '../../core/ports/alert-channel.js';
import type { DigestSchedule } from '../../core/ports/digest-schedule.js';
import type { Logger } from '../../core/ports/logger.js';

/** What the scheduler of `dualkey serve` runs, and how often. */
export interface SchedulerOptions {
  engine: Engine;
  channels: Partial<Record<Channel, AlertChannel>>;
  schedule: DigestSchedule;
  logger: Logger;
  reminderHours: number[];
  /** Deadlines, recovery, reminders and digests: once a minute. */
  tickMs?: number;
  /** Outbox delivery polling. */
  deliveryMs?: number;
  /** How often cached keys of instances locked (or re-keyed) elsewhere are zeroed. */
  keySweepMs?: number;
}

/**
 * The background work of `dualkey serve`. Every replica runs it; claims and dedupe keys make each
 * deadline, alert, reminder and digest happen once. Time comes from the engine's clock, so tests
 * drive `tick()` and `deliver()` directly with an injected clock.
 */
export class Scheduler {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private busy = { tick: false, deliver: false, keys: false };

  constructor(private readonly o: SchedulerOptions) {}

  /** Journal recovery, due deadlines, lock drain windows that are over, reminders, digests and key-access health. */
  async tick(): Promise<void> {
    const { engine } = this.o;
    await engine.recover();
    await engine.sweep();
    await engine.sweepDrains();
    await engine.queueReminders(this.o.reminderHours);
    await engine.queueDigests(this.o.schedule);
    // Key-access health last: a slow or failing key store must not hold up deadlines, reminders or digests.
    await engine.checkKeyAccess();
  }

  /** Delivers every due outbox row once. */
  deliver(): Promise<DeliveryReport> {
    return this.o.engine.deliverOutbox({ channels: this.o.channels });
  }

  /** Zeroes this process's cached keys of every instance locked or re-keyed since they were loaded (any replica). */
  dropStaleKeys(): Promise<number> {
    return this.o.engine.dropStaleKeys();
  }

  /** Starts the timers (unref'd: they never keep a stopping process alive). */
  start(): void {
    const every = (ms: number, name: 'tick' | 'deliver' | 'keys') => {
      const run = () => void this.guarded(name);
      const t = setInterval(run, ms);
      t.unref();
      this.timers.push(t);
      run();
    };
    every(this.o.tickMs ?? 60_000, 'tick');
    every(this.o.deliveryMs ?? 2_000, 'deliver');
    every(this.o.keySweepMs ?? 1_000, 'keys');
  }

  /** Waits for the work in flight, the runs `start()` begins at once included. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Stops the timers and waits for work in flight. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.settled();
    await Promise.allSettled(Object.values(this.o.channels).map((c) => c?.close?.()));
  }

  private async guarded(name: 'tick' | 'deliver' | 'keys'): Promise<void> {
    if (this.busy[name]) return;
    this.busy[name] = true;
    const work = (name === 'tick' ? this.tick() : name === 'deliver' ? this.deliver() : this.dropStaleKeys()).catch((e: unknown) =>
      this.o.logger.error(`scheduler: ${name} failed`, { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
    );
    this.running.add(work);
    try {
      await work;
    } finally {
      this.running.delete(work);
      this.busy[name] = false;
    }
  }
}
