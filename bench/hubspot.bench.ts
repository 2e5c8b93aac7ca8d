/**
 * HubSpot throughput against the local sandbox at HubSpot's limits for OAuth/public apps: 100 requests per
 * rolling 10 s per portal and 4 searches per second (the changelog's figure; 5 is often quoted), search pages
 * of 200, batches of 100. Both the sandbox and our limiter enforce these; nothing is scaled down.
 *
 * - Initial sync of HUBSPOT_BENCH_DEALS deals (default 100,000), run in full: the deal stream is search-bound,
 *   so its ceiling is 200 deals/page × 4 searches/s = 800 deals/s. (Splits and contacts are off here: each
 *   needs one more call per 100 deals and lowers the ceiling to what the 10 req/s budget leaves.)
 * - Full write-back of every deal's values, run in full: ceiling 100 requests/10 s × 100 deals/batch =
 *   1,000 deals/s. Measured from the first to the last batch (the recalculation before it is not API-bound
 *   and is reported separately).
 * - Change → write-back latency through the webhook path (sandbox webhook → our receiver → inbox → re-read →
 *   recalculate → write back), for HUBSPOT_BENCH_CHANGES deals changed one after another, measured once the
 *   bulk write-back's requests have left the rolling window.
 * The plan is the reference plan without its manager override (see below).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../server/app.js';
import { connectorForTenant, connectStaticToken } from '../server/crm/hubspot/install.js';
import { DEFAULT_PORTAL_LIMITS, PortalBudgets } from '../server/crm/hubspot/limiter.js';
import { REFERENCE_PLAN_FILE } from '../server/demo/hubspot-cycle.js';
import { createLogger } from '../server/log.js';
import { generateScenario, startHubSpotSandbox } from '../server/sandbox/hubspot/index.js';
import { createTokenCipher } from '../server/security/token-cipher.js';
import { listPlans, openStore, savePlanRevision, updateTenantSettings } from '../server/store/index.js';
import { syncHubSpot } from '../server/sync/hubspot-sync.js';
import { HubSpotSyncService } from '../server/sync/service.js';
import { publishDirty } from '../server/writeback/publish.js';
import { parsePlan } from '../src/plan/index.js';
import { readFileSync } from 'node:fs';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

export async function run(): Promise<Record<string, unknown>> {
  const deals = Number(process.env.HUBSPOT_BENCH_DEALS ?? 100_000);
  const changes = Number(process.env.HUBSPOT_BENCH_CHANGES ?? 20);
  const limits = DEFAULT_PORTAL_LIMITS;
  const owners = Math.max(1, Math.round(deals / 100));
  const scenario = generateScenario({
    owners,
    dealsPerOwner: Math.round(deals / owners),
    contactsPerDeal: 0,
    splitShare: 0,
    stepMs: 7,
  });
  scenario.portal.dealSplits = false;
  const sandbox = await startHubSpotSandbox({
    scenario,
    limits: {
      requestsPerInterval: limits.requestsPerInterval,
      intervalMs: limits.intervalMs,
      searchesPerSecond: limits.searchesPerSecond,
    },
    webhooks: { batchDelayMs: 10 },
  });
  const root = mkdtempSync(join(tmpdir(), 'attain-hubspot-bench-'));
  const store = await openStore({ dataDir: join(root, 'data') });
  const install = { db: store.db, cipher: createTokenCipher(randomBytes(32)), now: () => new Date() };
  const budgets = new PortalBudgets();
  try {
    const { tenantId } = await connectStaticToken(install, sandbox.accessToken, { basePath: sandbox.url, budgets });
    await updateTenantSettings(store.db, tenantId, { hubspot: { quotaSource: 'goals', contacts: false } });
    if ((await listPlans(store.db, tenantId)).length === 0) {
      // The reference plan without its manager override: the override's team-attainment gate makes every
      // deal change touch every payee (correctly), which would measure a team-wide recalculation instead.
      const raw = JSON.parse(readFileSync(REFERENCE_PLAN_FILE, 'utf8')) as {
        versions: Array<{ overrides?: unknown[] }>;
      };
      for (const v of raw.versions) v.overrides = [];
      const plan = parsePlan(raw);
      if (!plan.ok) throw new Error('reference plan invalid');
      await savePlanRevision(store.db, tenantId, plan.plan, 'bench');
    }
    const connector = await connectorForTenant(install, tenantId, null, { basePath: sandbox.url, budgets });
    await connector.ensureProperties();

    // Initial sync.
    const callsBefore = sandbox.calls.length;
    const syncStart = Date.now();
    const sync = await syncHubSpot({ store, tenantId, connector, now: install.now });
    const syncSeconds = (Date.now() - syncStart) / 1000;
    const syncCalls = sandbox.calls.length - callsBefore;
    const syncRate = sync.dealsRead / syncSeconds;
    const syncCeiling = 200 * limits.searchesPerSecond;

    // Recalculation and full write-back.
    const batchTimes: number[] = [];
    const wbCallsBefore = sandbox.calls.length;
    const publishStart = Date.now();
    let firstBatchSentAt: number | null = null;
    const publish = await publishDirty({
      db: store.db,
      tenantId,
      connector: {
        checkProperties: () => connector.checkProperties(),
        writeDealProperties: (writes) => {
          firstBatchSentAt ??= Date.now();
          return connector.writeDealProperties(writes);
        },
      },
      now: install.now,
      afterBatch: () => void batchTimes.push(Date.now()),
    });
    const written = publish.writeBack.written.length;
    const writeSeconds = (batchTimes.at(-1)! - firstBatchSentAt!) / 1000;
    const writeRate = written / writeSeconds;
    const writeCeiling = (limits.requestsPerInterval / (limits.intervalMs / 1000)) * 100;
    const writeCalls = sandbox.calls.length - wbCallsBefore;
    const recalcSeconds = (firstBatchSentAt! - publishStart) / 1000;

    // Change → write-back latency through the webhook path.
    const service = new HubSpotSyncService({ store, now: install.now, connectorFor: async () => connector });
    // The signature covers the URL HubSpot calls: listen first, then build the app with that origin.
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const { app } = createApp({
      store,
      logger: createLogger('silent'),
      now: () => new Date(),
      recalc: { request: async () => ({ runId: 'unused' }) },
      hubspot: {
        install,
        webhooks: {
          clientSecrets: () => [sandbox.app.clientSecret],
          publicOrigin: origin,
          onEvents: (t) => service.kick(t),
        },
      },
    });
    http.on('request', app);
    sandbox.webhooks.targetUrl = `${origin}/hubspot/webhooks`;
    // Measure the steady state: let the bulk write-back's requests leave the rolling window first.
    await new Promise((resolve) => setTimeout(resolve, limits.intervalMs));
    const latencies: number[] = [];
    const ids = [...sandbox.state.objects.deals.values()]
      .filter((d) => d.properties['dealstage'] === 'closedwon')
      .map((d) => d.id)
      .slice(0, changes);
    for (const id of ids) {
      const changedAt = Date.now();
      const done = new Promise<void>((resolve) => {
        sandbox.state.onChange((e) => {
          if (e.objectId === id && e.changeSource === 'API' && e.propertyName?.startsWith('attain_')) resolve();
        });
      });
      const amount = sandbox.state.objects.deals.get(id)!.properties['amount']!;
      sandbox.state.updateDeals(
        [{ id, properties: { amount: (Number.parseInt(amount, 10) + 1000).toString() } }],
        'CRM_UI',
      );
      await done;
      latencies.push(Date.now() - changedAt);
    }
    sandbox.webhooks.targetUrl = null;
    await service.stop();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    latencies.sort((a, b) => a - b);

    return {
      hubspot_deals: deals,
      hubspot_sync_records_per_second: Math.round(syncRate),
      hubspot_sync_ceiling_records_per_second: syncCeiling,
      hubspot_sync_ceiling_ratio: ratio(syncRate, syncCeiling),
      hubspot_sync_seconds: Math.round(syncSeconds * 10) / 10,
      hubspot_writeback_records_per_second: Math.round(writeRate),
      hubspot_writeback_ceiling_records_per_second: writeCeiling,
      hubspot_writeback_ceiling_ratio: ratio(writeRate, writeCeiling),
      hubspot_writeback_seconds: Math.round(writeSeconds * 10) / 10,
      hubspot_recalculation_seconds: Math.round(recalcSeconds * 10) / 10,
      hubspot_deals_written: written,
      hubspot_api_calls: syncCalls + writeCalls,
      hubspot_api_calls_sync: syncCalls,
      hubspot_api_calls_writeback: writeCalls,
      hubspot_api_max_in_window: sandbox.stats().maxArrivalsInWindow,
      hubspot_api_rate_limited: sandbox.stats().byOutcome['rate-limited'] ?? 0,
      hubspot_change_to_writeback_p50_ms: percentile(latencies, 50),
      hubspot_change_to_writeback_p95_ms: percentile(latencies, 95),
      hubspot_change_samples: latencies.length,
      hubspot_mode: 'full runs at the real limits (no extrapolation)',
    };
  } finally {
    await sandbox.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}
