/**
 * Graceful stop: a request in flight when shutdown begins completes; the listener takes no new connections;
 * jobs are stopped and the database is closed after the requests finished.
 */
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startService, type Jobs } from '../../server/main.js';
import { createTempDataDir } from '../helpers/stores.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

it('finishes in-flight requests, then stops jobs and closes the database', async () => {
  const dir = createTempDataDir();
  dirs.push(dir);
  const config = loadConfig({ ATTAIN_DATA_DIR: dir.dataDir, PORT: '0', HOST: '127.0.0.1' });
  const events: string[] = [];
  let releaseReadiness!: () => void;
  const readinessHeld = new Promise<void>((resolve) => (releaseReadiness = resolve));
  const jobs: Jobs = {
    recalc: { request: async () => ({ runId: 'unused' }) },
    // /readyz awaits this: it keeps a request in flight for as long as the test wants.
    readiness: async () => {
      events.push('request in flight');
      await readinessHeld;
      return { ok: true };
    },
    stop: async () => {
      events.push('jobs stopped');
    },
  };
  const service = await startService({ config, logger: createLogger('silent'), startJobs: async () => jobs });
  const inFlight = fetch(`${service.url}/readyz`);
  while (!events.includes('request in flight')) await new Promise((r) => setTimeout(r, 5));

  const stopped = service.stop('test').then(() => events.push('stopped'));
  await new Promise((r) => setTimeout(r, 50));
  await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  expect(events).not.toContain('jobs stopped');

  releaseReadiness();
  const res = await inFlight;
  expect(res.status).toBe(200);
  await stopped;
  expect(events).toEqual(['request in flight', 'jobs stopped', 'stopped']);
  // The database is closed: its data-dir lock is released, so it can be opened again.
  const again = await startService({
    config,
    logger: createLogger('silent'),
    startJobs: async () => ({ ...jobs, readiness: async () => ({ ok: true }) }),
  });
  await again.stop('test');
}, 120_000); // two embedded databases are created; on a busy machine that alone can take tens of seconds
