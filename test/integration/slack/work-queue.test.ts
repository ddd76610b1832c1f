import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../bot/slack/work-queue.js';

/** The queue of work after acks: bounded, in order, failure-isolated, drained on stop. */
describe('the Slack work queue', () => {
  it('runs at most `limit` jobs at once, in arrival order, and idle() waits for all of them', async () => {
    const q = new WorkQueue(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const results = Array.from({ length: 10 }, (_, i) =>
      q.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return i;
      }),
    );
    let idle = false;
    const drained = q.idle().then(() => (idle = true));
    while (started.length < 10) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
    }
    releases.forEach((r) => r());
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await drained;
    expect(idle).toBe(true);
    expect(peak).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps going after a job fails, and reports the failure to that job\'s caller only', async () => {
    const q = new WorkQueue(1);
    const failing = q.run(async () => {
      throw new Error('boom');
    });
    const next = q.run(async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    await q.idle();
  });

  it('holds jobs while acks are pending and runs them once the burst is over, or after maxYieldMs at the latest', async () => {
    let busy = true;
    const q = new WorkQueue(2, { yieldTo: () => busy, maxYieldMs: 60_000 });
    let ran = false;
    const job = q.run(async () => (ran = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
    expect(ran).toBe(false);
    busy = false;
    await job;
    expect(ran).toBe(true);

    const starved = new WorkQueue(1, { yieldTo: () => true, maxYieldMs: 30 });
    expect(await starved.run(async () => 'ran anyway')).toBe('ran anyway');
  });
});
