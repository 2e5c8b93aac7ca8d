/**
 * `attain start` (npm start): runs the service. With no configuration it uses the embedded database in
 * .attain/data; on the first start it creates the demo tenant from examples/reference-scenario through the
 * import path, and every start recalculates the demo tenant, prints its Q3 2026 team table, a fresh local
 * admin token (the previous start's token is revoked) and a curl line, then serves on PORT (default 3000).
 */
import { formatNumber, formatPercent, LOCALE_OF } from '../../../src/format/index.js';
import { ConfigError, loadConfig } from '../../config.js';
import { recordAudit } from '../../audit/index.js';
import { domainEngine } from '../../calc/engine.js';
import { recalculateTenant } from '../../calc/index.js';
import { DEMO_PERIOD, DEMO_TEAM_ID, DEMO_TENANT_ID, ensureDemoTenant } from '../../demo/reference-scenario.js';
import { teamAttainment } from '../../http/teams.js';
import { createLogger } from '../../log.js';
import { startService, stopOnSignals } from '../../main.js';
import { startJobs } from '../../services.js';
import { teamWithSubteams } from '../../auth/access.js';
import { createApiToken, listApiTokens, revokeApiToken, type Store } from '../../store/index.js';
import { startHubSpotDemo } from '../../demo/hubspot-cycle.js';
import { startHubSpotRuntime, type HubSpotRuntime } from '../../sync/runtime.js';
import { parseCommand } from '../parse-command.js';

const HELP = `Usage: attain start [--skip-demo]

Starts the API server. Configuration comes from the environment (see docs/api.md): PORT (3000),
DATABASE_URL (unset: embedded database in ATTAIN_DATA_DIR, default .attain/data), ATTAIN_ENCRYPTION_KEY,
LOG_LEVEL, PUBLIC_BASE_URL.
  --skip-demo   do not create, recalculate or print the demo tenant`;

const DEMO_TOKEN_NAME = 'local admin (attain start)';

async function demoTable(store: Store): Promise<string> {
  await recalculateTenant(store.db, DEMO_TENANT_ID, { now: new Date(), actor: 'system:start', engine: domainEngine });
  const team = await teamWithSubteams(store.db, DEMO_TENANT_ID, DEMO_TEAM_ID);
  if (!team) throw new Error(`[Attain] the demo tenant has no team ${DEMO_TEAM_ID}`);
  const view = await teamAttainment(store.db, DEMO_TENANT_ID, { id: DEMO_TEAM_ID, ...team }, DEMO_PERIOD);
  const en = LOCALE_OF.en;
  const money = (v: string | null) => (v === null ? '–' : formatNumber(v, en, 2));
  const pct = (v: string | null) => (v === null ? '–' : formatPercent(v, en, 1));
  const rows = view.sellers.map((s) => [
    s.name,
    money(s.quota),
    money(s.achieved),
    pct(s.attainment),
    money(s.earnings),
  ]);
  const total = [
    'Team total',
    money(view.totals.quota),
    money(view.totals.achieved),
    pct(view.totals.attainment),
    money(view.totals.earnings),
  ];
  const header = ['Seller', 'Quota', 'Achieved', 'Attainment', 'Earnings'];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  const rule = widths.map((w) => '─'.repeat(w)).join('───');
  return [`${view.teamName} — ${DEMO_PERIOD} (DKK)`, line(header), rule, ...rows.map(line), rule, line(total)].join(
    '\n',
  );
}

/** A new admin token for the demo tenant each start; the previous start's token is revoked, so only one works. */
async function freshDemoToken(store: Store): Promise<string> {
  return store.db.transaction().execute(async (trx) => {
    for (const t of await listApiTokens(trx, DEMO_TENANT_ID)) {
      if (t.name === DEMO_TOKEN_NAME && !t.revokedAt) await revokeApiToken(trx, DEMO_TENANT_ID, t.tokenId, new Date());
    }
    const created = await createApiToken(trx, DEMO_TENANT_ID, { name: DEMO_TOKEN_NAME, role: 'admin' });
    await recordAudit(trx, {
      tenantId: DEMO_TENANT_ID,
      actor: 'system:start',
      action: 'token.created',
      entityType: 'api_token',
      entityId: created.principal.tokenId,
      after: { role: 'admin', name: DEMO_TOKEN_NAME },
    });
    return created.token;
  });
}

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('start', HELP, argv, { options: { 'skip-demo': { type: 'boolean' } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`attain start: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let banner = '';
  // With HUBSPOT_CLIENT_ID/SECRET: install, webhook and sweep for real portals (server/sync/runtime.ts); without:
  // the HubSpot cycle against a local sandbox (server/demo/hubspot-cycle.ts).
  const hubspot: { demo: HubSpotRuntime | null } = { demo: null };
  const service = await startService({
    config,
    logger,
    startJobs: async (store) => {
      const jobs = await startJobs(store, logger, { shutdownGraceMs: config.shutdownGraceMs });
      const origin = config.publicBaseUrl ?? `http://localhost:${config.port}`;
      const { clientId, clientSecret } = config.hubspot;
      const log = logger.child({ component: 'hubspot' });
      if (clientId ? !clientSecret : values['skip-demo']) return jobs;
      const demo =
        clientId && clientSecret
          ? startHubSpotRuntime({
              store,
              encryptionKey: config.encryptionKey,
              clientId,
              clientSecret,
              publicOrigin: origin,
              holder: `${process.pid}`,
              log,
            })
          : await startHubSpotDemo({ store, encryptionKey: config.encryptionKey, publicOrigin: origin, log });
      hubspot.demo = demo;
      return { ...jobs, stop: async () => (await demo.stop(), jobs.stop()) };
    },
    appDeps: () => (hubspot.demo ? { hubspot: hubspot.demo.routes } : {}),
    async beforeListen(store) {
      if (values['skip-demo']) return;
      const loaded = await ensureDemoTenant(store.db, new Date());
      const first = loaded.created
        ? `Created the demo tenant "${DEMO_TENANT_ID}" from examples/reference-scenario (${Object.entries(
            loaded.counts ?? {},
          )
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}).`
        : `Demo tenant "${DEMO_TENANT_ID}" found in ${store.location}; its data is kept.`;
      const table = await demoTable(store);
      const token = await freshDemoToken(store);
      banner = [
        first,
        '',
        table,
        '',
        `Admin token for tenant "${DEMO_TENANT_ID}" (new each start; the previous one is revoked):`,
        `  ${token}`,
        '',
      ].join('\n');
      banner += `\nTry:\n  curl -s -H "Authorization: Bearer ${token}" "http://localhost:${config.port}/api/v1/teams/${DEMO_TEAM_ID}/attainment?period=${DEMO_PERIOD}"\n`;
    },
  });
  if (banner) console.log(`\n${banner}`);
  if (hubspot.demo) {
    hubspot.demo.listening();
    console.log(`${hubspot.demo.banner}\n`);
  }
  console.log(
    `Attain is serving ${service.url}  (API ${service.url}/api/v1, OpenAPI ${service.url}/api/v1/openapi.json; database: ${service.store.kind} ${service.store.location}). Ctrl+C stops it.\n`,
  );
  stopOnSignals(service, logger);
  // Keep running until a signal stops the process.
  await new Promise<never>(() => undefined);
  return 0;
}

export default { summary: 'Start the API server (first start: demo tenant with the reference scenario)', run };
