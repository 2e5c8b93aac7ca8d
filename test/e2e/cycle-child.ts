/**
 * Child process for the fault test: runs the HubSpot cycle against the sandbox URL it is given, on the
 * embedded store in the given data folder, with the scaled limits, then keeps publishing until nothing is
 * dirty or queued (what the sweep does in a long-running process). The parent kills it with SIGKILL mid-way
 * and starts it again on the same folder.
 *   argv: <dataDir> <config json>
 */
import { openStore } from '../../server/store/index.js';
import { createTokenCipher } from '../../server/security/token-cipher.js';
import { runHubSpotCycle } from '../../server/demo/hubspot-cycle.js';
import { publishDirty } from '../../server/writeback/publish.js';
import { pendingWriteBacks } from '../../server/writeback/writeback.js';
import { countDirty } from '../../server/sync/dirty.js';
import type { PortalLimits } from '../../server/crm/hubspot/limiter.js';

interface ChildConfig {
  target: { url: string; accessToken: string; app: { clientId: string; clientSecret: string } };
  keyHex: string;
  now: string;
  limits: PortalLimits;
  timeoutMs: number;
}

const [dataDir, json] = process.argv.slice(2);
const config = JSON.parse(json!) as ChildConfig;
const store = await openStore({ dataDir: dataDir! });
const now = () => new Date(config.now);
try {
  const install = { db: store.db, cipher: createTokenCipher(Buffer.from(config.keyHex, 'hex')), now };
  const result = await runHubSpotCycle({
    install,
    target: config.target,
    connector: {
      limits: config.limits,
      retry: { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 200 },
      timeoutMs: config.timeoutMs,
    },
    assumeWindowSpent: true,
  });
  let written = result.written.length;
  for (
    let pass = 0;
    pass < 10 &&
    ((await pendingWriteBacks(store.db, result.tenantId)) > 0 || (await countDirty(store.db, result.tenantId)) > 0);
    pass++
  ) {
    written += (await publishDirty({ db: store.db, tenantId: result.tenantId, connector: result.connector, now }))
      .writeBack.written.length;
  }
  process.stdout.write(
    JSON.stringify({
      written,
      dealsRead: result.sync.dealsRead,
      resumedFrom: result.sync.resumedFrom,
      resumed: result.publish.writeBack.resumed,
    }) + '\n',
  );
  await store.close();
  process.exit(0);
} catch (error) {
  process.stderr.write(`cycle failed: ${(error as Error).message}\n`);
  await store.close();
  process.exit(1);
}
