import { describe, expect, it } from 'vitest';
import { SessionGate } from '../../../db/session-gate.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the session gate between socket sessions and in-process transactions', () => {
  it('lets shared holders in together and keeps an exclusive holder out until they leave', async () => {
    const gate = new SessionGate();
    const a = await gate.acquire('shared');
    const b = await gate.acquire('shared');
    let exclusive = false;
    const x = gate.acquire('exclusive').then((release) => ((exclusive = true), release));
    await tick();
    expect(exclusive).toBe(false);
    a();
    await tick();
    expect(exclusive).toBe(false);
    b();
    (await x)();
    expect(exclusive).toBe(true);
    expect(gate.stats()).toEqual({ shared: 0, exclusive: false, waiting: 0 });
  });

  it('serves waiters in arrival order, so a waiting exclusive holder is not starved by later shared ones', async () => {
    const gate = new SessionGate();
    const order: string[] = [];
    const first = await gate.acquire('shared');
    const waiters = [
      gate.acquire('exclusive').then((r) => (order.push('x1'), r)),
      gate.acquire('shared').then((r) => (order.push('s2'), r)),
      gate.acquire('shared').then((r) => (order.push('s3'), r)),
      gate.acquire('exclusive').then((r) => (order.push('x4'), r)),
    ];
    await tick();
    expect(order).toEqual([]);
    first();
    (await waiters[0]!)();
    await tick();
    expect(order).toEqual(['x1', 's2', 's3']);
    (await waiters[1]!)();
    await tick();
    expect(order).toEqual(['x1', 's2', 's3']);
    (await waiters[2]!)();
    const last = await waiters[3]!;
    expect(order).toEqual(['x1', 's2', 's3', 'x4']);
    last();
    last(); // releasing twice is harmless
    expect(gate.stats()).toEqual({ shared: 0, exclusive: false, waiting: 0 });
  });
});
