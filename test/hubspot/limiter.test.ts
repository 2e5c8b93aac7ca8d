import { describe, expect, it } from 'vitest';
import { RollingWindowLimiter } from '../../server/crm/hubspot/index.js';
import { virtualClock } from './helpers.js';

describe('rolling-window limiter', () => {
  it('never lets more than the limit finish within one window, counting from each response', async () => {
    const clock = virtualClock(0);
    const limiter = new RollingWindowLimiter(5, 10_000, clock);
    const finished: number[] = [];
    await Promise.all(
      Array.from({ length: 17 }, async () => {
        const release = await limiter.acquire();
        finished.push(clock.now());
        release();
      }),
    );
    expect(finished).toHaveLength(17);
    for (const t of finished) expect(finished.filter((u) => u > t - 10_000 && u <= t).length).toBeLessThanOrEqual(5);
    // 17 requests at 5 per window need three full waits.
    expect(finished.at(-1)).toBe(30_000);
  });

  it('holds a slot while its request is in flight', async () => {
    const clock = virtualClock(0);
    const limiter = new RollingWindowLimiter(1, 1_000, clock);
    const release = await limiter.acquire();
    let second = false;
    const next = limiter.acquire().then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    release();
    (await next)();
    expect(second).toBe(true);
    expect(clock.now()).toBe(1_000);
  });

  it('pauses every waiter until the given time', async () => {
    const clock = virtualClock(0);
    const limiter = new RollingWindowLimiter(10, 10_000, clock);
    limiter.pause(3_000);
    const release = await limiter.acquire();
    expect(clock.now()).toBe(3_000);
    release();
  });
});
