/**
 * Must show 3: with 30 % 429s, 5 % 5xx, 2 % timeouts and a SIGKILL in the middle of the write-back (then a
 * restart on the same store), HubSpot ends exactly as after a fault-free run; no property is ever written
 * with two different values; and the sandbox's call log never shows more requests in any rolling window than
 * the limiter allows. Limits are scaled (20 requests per 0.5 s window) so the test runs in under a minute (most of it spent waiting out injected 429s).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runHubSpotCycle } from '../../server/demo/hubspot-cycle.js';
import { PortalBudgets, type PortalLimits } from '../../server/crm/hubspot/limiter.js';
import { generateScenario, startHubSpotSandbox, type HubSpotSandbox } from '../../server/sandbox/hubspot/index.js';
import { createTempDataDir } from '../helpers/stores.js';
import { openStore } from '../../server/store/index.js';
import { attainState, FIXED_NOW, installDeps } from './helpers.js';

const LIMITS: PortalLimits = { requestsPerInterval: 20, intervalMs: 500, searchesPerSecond: 4 };
const SANDBOX_LIMITS = { requestsPerInterval: 20, intervalMs: 500, searchesPerSecond: 4 };
const scenario = () => generateScenario({ owners: 10, dealsPerOwner: 30, seed: 11 });
const childPath = fileURLToPath(new URL('./cycle-child.ts', import.meta.url));

function runChild(
  dataDir: string,
  config: object,
  onSpawn?: (kill: () => void) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(childPath, [dataDir, JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let stdout = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stdout }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

describe('faults and a process kill during write-back', () => {
  const sandboxes: HubSpotSandbox[] = [];
  afterAll(async () => {
    for (const s of sandboxes) await s.close();
  });

  it('ends in the fault-free state, without value-changing double writes, inside the limiter budget', async () => {
    // Fault-free reference run, in process.
    const clean = await startHubSpotSandbox({ scenario: scenario(), limits: SANDBOX_LIMITS });
    sandboxes.push(clean);
    // Creating an embedded store is the slow part: make one, copy its folder for the child, reopen it here.
    const dir = createTempDataDir();
    const childDir = createTempDataDir();
    await (await openStore({ dataDir: dir.dataDir })).close();
    cpSync(dir.dataDir, childDir.dataDir, { recursive: true });
    const store = await openStore({ dataDir: dir.dataDir });
    try {
      await runHubSpotCycle({
        install: installDeps(store),
        target: clean,
        connector: { limits: LIMITS, budgets: new PortalBudgets() },
      });
    } finally {
      await store.close();
      dir.remove();
    }
    const expected = attainState(clean);
    expect(Object.values(expected).filter((p) => Object.keys(p).length > 0).length).toBeGreaterThan(200);

    // Faulted run in a child process, killed right after HubSpot applied its first write-back batch.
    const faulty = await startHubSpotSandbox({
      scenario: scenario(),
      limits: SANDBOX_LIMITS,
      faults: { rate429: 0.3, rate5xx: 0.05, timeout: 0.02, hangMs: 1_500, seed: 42 },
    });
    sandboxes.push(faulty);
    const writes = new Map<string, string[]>();
    let kill: (() => void) | null = null;
    let killed = false;
    faulty.state.onChange((e) => {
      if (e.changeSource !== 'API' || !e.propertyName) return;
      const key = `${e.objectId}\u0000${e.propertyName}`;
      writes.set(key, [...(writes.get(key) ?? []), e.propertyValue ?? '']);
      // The batch is applied and its answer not yet read by the child: the worst moment to die.
      if (!killed && kill) {
        killed = true;
        kill();
      }
    });
    try {
      const config = {
        target: { url: faulty.url, accessToken: faulty.accessToken, app: faulty.app },
        keyHex: randomBytes(32).toString('hex'),
        now: FIXED_NOW.toISOString(),
        limits: LIMITS,
        timeoutMs: 500,
      };
      const first = await runChild(childDir.dataDir, config, (k) => (kill = k));
      expect(first.signal).toBe('SIGKILL');
      const appliedBeforeKill = writes.size;
      expect(appliedBeforeKill).toBeGreaterThan(0);
      // Restart on the same store; a run that gives up after its retries is run again, as the sweep would.
      let restart = await runChild(childDir.dataDir, config);
      for (let i = 0; i < 3 && restart.code !== 0; i++) restart = await runChild(childDir.dataDir, config);
      expect(restart.code).toBe(0);
      const report = JSON.parse(restart.stdout.trim().split('\n').at(-1)!) as { resumed: number };
      expect(report.resumed).toBeGreaterThan(0); // the interrupted batch came from the outbox
    } finally {
      childDir.remove();
    }

    expect(attainState(faulty)).toEqual(expected);
    for (const [key, values] of writes) expect(values, key).toHaveLength(1);
    const stats = faulty.stats();
    expect(stats.byOutcome['fault-429'] ?? 0).toBeGreaterThan(0);
    expect(stats.byOutcome['rate-limited'] ?? 0).toBe(0);
    expect(stats.maxArrivalsInWindow).toBeLessThanOrEqual(LIMITS.requestsPerInterval);
  }, 180_000);
});
