/**
 * A server process for the crash test: works the recalc queue against `--database-url` or `--data-dir`.
 * `--block-after <file>`: inside the engine (after the run was recorded as started, before anything is
 * published) write <file> and block, so the parent can `kill -9` it mid-recalculation.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { domainEngine, startRecalcWorker, type CalcEngine } from '../../server/calc/index.js';
import { startQueue } from '../../server/jobs/queue.js';
import { openStore } from '../../server/store/index.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'block-after': { type: 'string' },
    'batch-size': { type: 'string' },
  },
});
const store = await openStore(
  values['database-url'] ? { databaseUrl: values['database-url'], poolSize: 3 } : { dataDir: values['data-dir']! },
);
const marker = values['block-after'];
const engine: CalcEngine = marker
  ? {
      ...domainEngine,
      calculate(input) {
        writeFileSync(marker, String(process.pid));
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
        return domainEngine.calculate(input);
      },
    }
  : domainEngine;
const queue = await startQueue(store, {
  pollingIntervalSeconds: 0.5,
  batchSize: Number(values['batch-size'] ?? 1),
  expireInSeconds: 3,
});
await startRecalcWorker(queue, store.db, { engine, clock: () => new Date('2026-10-01T06:00:00Z') });
process.send?.('ready');
process.on(
  'SIGTERM',
  () =>
    void queue
      .stop(5000)
      .then(() => store.close())
      .then(() => process.exit(0)),
);
