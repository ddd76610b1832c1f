/** When a job should wait: while `yieldTo()` holds (requests still awaiting their ack), for at most `maxYieldMs`. */
export interface YieldOptions {
  yieldTo: () => boolean;
  maxYieldMs: number;
}

/**
 * Runs at most `limit` jobs at once and the rest in arrival order, each after the current I/O turn
 * and, with `yieldTo`, after pending acks (for a bounded time): the work after an ack (database,
 * response_url) never crowds out the next request's ack.
 */
export class WorkQueue {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly jobs = new Set<Promise<unknown>>();

  constructor(private readonly limit: number, private readonly yielding: YieldOptions | null = null) {}

  /** Runs `job` when a slot is free; the promise settles with the job. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const p = this.schedule(job);
    this.jobs.add(p);
    void p.finally(() => this.jobs.delete(p)).catch(() => undefined);
    return p;
  }

  /** Settles once every job accepted so far has finished (graceful stop). */
  async idle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.allSettled([...this.jobs]);
  }

  private async schedule<T>(job: () => Promise<T>): Promise<T> {
    // A slot is taken synchronously, or handed over by the job that frees it (which then keeps `active` as is).
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else {
      this.active++;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    try {
      const until = performance.now() + (this.yielding?.maxYieldMs ?? 0);
      while (this.yielding?.yieldTo() && performance.now() < until) await new Promise<void>((resolve) => setTimeout(resolve, 2));
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
