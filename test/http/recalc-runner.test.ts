import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';
import { TenantRecalcRunner } from '../../server/recalc-runner.js';

/** A fake run that starts at once and finishes when the test says so. */
function controllableRuns() {
  const runs: { tenantId: string; actor: string; finish(): void; fail(err: Error): void }[] = [];
  const start = (tenantId: string, actor: string, onStarted: (runId: string) => void) =>
    new Promise<void>((resolve, reject) => {
      const n = runs.length + 1;
      runs.push({ tenantId, actor, finish: resolve, fail: reject });
      onStarted(`run-${n}`);
    });
  return { runs, start };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('TenantRecalcRunner', () => {
  it('coalesces a burst into the running run plus one waiting run', async () => {
    const { runs, start } = controllableRuns();
    const runner = new TenantRecalcRunner(start, createLogger('silent'));
    const first = await runner.request({ tenantId: 't', actor: 'a' });
    expect(first.runId).toBe('run-1');
    const burst = Array.from({ length: 50 }, (_, i) => runner.request({ tenantId: 't', actor: `b${i % 3}` }));
    await tick();
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    const ids = new Set((await Promise.all(burst)).map((r) => r.runId));
    expect([...ids]).toEqual(['run-2']);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.actor).toBe('b0, b1, b2');
    runs[1]!.finish();
    await runner.stop();
  });

  it('runs tenants independently, reports failures and stops after waiting runs', async () => {
    const { runs, start } = controllableRuns();
    const runner = new TenantRecalcRunner(start, createLogger('silent'));
    await runner.request({ tenantId: 'x', actor: 'a' });
    await runner.request({ tenantId: 'y', actor: 'a' });
    expect(runs.map((r) => r.tenantId)).toEqual(['x', 'y']);
    const waiting = runner.request({ tenantId: 'x', actor: 'a' });
    runs[0]!.fail(new Error('boom'));
    expect((await waiting).runId).toBe('run-3');
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    runs[1]!.finish();
    runs[2]!.finish();
    await stopping;
    await expect(runner.request({ tenantId: 'x', actor: 'a' })).rejects.toThrow(/shutting down/);
  });
});
