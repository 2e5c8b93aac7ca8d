/**
 * The whole HubSpot cycle against a HubSpot API (the local sandbox by default): install (static token or
 * OAuth) → provision the Attain deal properties → sync → calculate → write back. Returns what was written.
 * Idempotent: running it again on the same store finishes an interrupted run (sync resumes at its checkpoint,
 * recalculation at the dirty marks, write-back at the outbox) and writes nothing that is already in HubSpot.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { domainEngine } from '../calc/engine.js';
import { loadCalcInputs } from '../calc/load-inputs.js';
import { WEBHOOK_PATH } from '../http/hubspot/webhooks.js';
import type { HubSpotRouteDeps } from '../http/hubspot/feature.js';
import {
  loadReferenceDataSet,
  scenarioFromDataSet,
  startHubSpotSandbox,
  type HubSpotSandbox,
} from '../sandbox/hubspot/index.js';
import { createTokenCipher } from '../security/token-cipher.js';
import { markDirty } from '../sync/dirty.js';
import { HubSpotSyncService, type ServiceLog } from '../sync/service.js';
import type { HubSpotRuntime } from '../sync/runtime.js';
import { parsePlan } from '../../src/plan/index.js';
import type { CalcEngine } from '../calc/engine-port.js';
import {
  budgetKeyFor,
  completeOAuthInstall,
  connectorForTenant,
  connectStaticToken,
  type InstallDeps,
  type InstallResult,
} from '../crm/hubspot/install.js';
import { HubSpotOAuth } from '../crm/hubspot/oauth.js';
import type { HubSpotConnector, HubSpotConnectorOptions } from '../crm/hubspot/connector.js';
import { DEFAULT_PORTAL_LIMITS, processPortalBudgets } from '../crm/hubspot/limiter.js';
import type { DealWrite, ProvisioningReport } from '../crm/port.js';
import {
  findTenantByCrmAccount,
  getTenant,
  listDeals,
  listPayees,
  listPlans,
  savePlanRevision,
  updateTenantSettings,
  type Db,
  type Store,
} from '../store/index.js';
import { syncHubSpot, type HubSpotSyncSettings, type SyncReport } from '../sync/hubspot-sync.js';
import { publishDirty, type PublishReport } from '../writeback/publish.js';

export const REFERENCE_PLAN_FILE = new URL('../../examples/reference-scenario/plan.json', import.meta.url);
const REFERENCE_DATA_FILE = new URL('../../examples/reference-scenario/data.json', import.meta.url);

/** What the cycle needs to know about the HubSpot it talks to (the sandbox hands these out). */
export interface HubSpotTarget {
  url: string;
  /** A private app's token, for single-portal mode. */
  accessToken: string;
  app: { clientId: string; clientSecret: string };
  /** Stands in for the user's consent in HubSpot (sandbox only). */
  issueAuthorizationCode?: (redirectUri: string) => string;
}

export interface HubSpotCycleOptions {
  install: InstallDeps;
  target: HubSpotTarget;
  mode?: 'static' | 'oauth';
  /** Connector settings: limits, budgets, retries, timeouts (the API origin comes from `target`). */
  connector?: Omit<HubSpotConnectorOptions, 'portalKey' | 'accessToken' | 'basePath'>;
  engine?: CalcEngine;
  /** Sync settings set on a tenant that has none (default: quotas from HubSpot goals). */
  settings?: HubSpotSyncSettings;
  /** The plan to load when the tenant has none (default: the reference scenario's plan). */
  planFile?: URL | string;
  /**
   * A process that starts after another one used the portal (a restart) cannot know how much of the rolling
   * window its predecessor spent: wait one window before the first request.
   */
  assumeWindowSpent?: boolean;
  redirectUri?: string;
  afterPage?: (page: { deals: number; checkpoint: string }) => Promise<void> | void;
  afterBatch?: (batch: { sent: number; ok: number }) => Promise<void> | void;
}

export interface HubSpotCycleResult {
  tenantId: string;
  portalId: number;
  mode: 'static' | 'oauth';
  provisioning: ProvisioningReport;
  sync: SyncReport;
  publish: PublishReport;
  /** Deal property writes HubSpot confirmed in this run (logical field names, decimal strings). */
  written: DealWrite[];
  connector: HubSpotConnector;
}

async function ensurePlan(db: Db, tenantId: string, file: URL | string): Promise<void> {
  if ((await listPlans(db, tenantId)).length > 0) return;
  const parsed = parsePlan(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  if (!parsed.ok)
    throw new Error(
      `[Attain] ${String(file)} is not a valid plan: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  await savePlanRevision(db, tenantId, parsed.plan, 'system:hubspot-cycle');
}

export async function runHubSpotCycle(options: HubSpotCycleOptions): Promise<HubSpotCycleResult> {
  const { install, target } = options;
  const mode = options.mode ?? 'static';
  const connectorOptions = { ...(options.connector ?? {}), basePath: target.url };
  const limits = options.connector?.limits ?? DEFAULT_PORTAL_LIMITS;
  const budgets = options.connector?.budgets ?? processPortalBudgets;
  const budgetKey = mode === 'static' ? budgetKeyFor({ mode, portalId: null, accessToken: target.accessToken }) : null;
  if (options.assumeWindowSpent && budgetKey)
    budgets.forPortal(budgetKey, limits).rolling.pause(Date.now() + limits.intervalMs);

  let installed: InstallResult;
  let oauth: HubSpotOAuth | null = null;
  if (mode === 'static') {
    installed = await connectStaticToken(install, target.accessToken, connectorOptions);
  } else {
    const redirectUri = options.redirectUri ?? 'http://localhost:3000/oauth/hubspot/callback';
    if (!target.issueAuthorizationCode)
      throw new Error('[Attain] OAuth mode needs a HubSpot that can issue an authorization code (the sandbox)');
    oauth = new HubSpotOAuth({
      clientId: target.app.clientId,
      clientSecret: target.app.clientSecret,
      redirectUri,
      basePath: target.url,
    });
    installed = await completeOAuthInstall(install, oauth, target.issueAuthorizationCode(redirectUri));
  }
  const { tenantId } = installed;
  const tenant = await getTenant(install.db, tenantId);
  if (!tenant?.settings['hubspot'])
    await updateTenantSettings(install.db, tenantId, { hubspot: options.settings ?? { quotaSource: 'goals' } });
  await ensurePlan(install.db, tenantId, options.planFile ?? REFERENCE_PLAN_FILE);

  const connector = await connectorForTenant(install, tenantId, oauth, connectorOptions);
  const provisioning = await connector.ensureProperties();
  const sync = await syncHubSpot({
    store: { db: install.db },
    tenantId,
    connector,
    now: install.now,
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.afterPage ? { afterPage: options.afterPage } : {}),
  });
  const publish = await publishDirty({
    db: install.db,
    tenantId,
    connector,
    now: install.now,
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.afterBatch ? { afterBatch: options.afterBatch } : {}),
  });
  return {
    tenantId,
    portalId: installed.portalId,
    mode,
    provisioning,
    sync,
    publish,
    written: publish.writeBack.written,
    connector,
  };
}

// ---- `npm start` without HubSpot credentials: the cycle against a local sandbox, then live via webhooks ----

export interface HubSpotDemoOptions {
  store: Pick<Store, 'db'>;
  encryptionKey: Buffer;
  /** Where the service will listen; the sandbox delivers webhooks to `${origin}/hubspot/webhooks`. */
  publicOrigin: string;
  /** Sandbox port (default 4010, where `attain sandbox` looks; taken → any free port). */
  sandboxPort?: number;
  log?: ServiceLog;
  print?: (line: string) => void;
}

export interface HubSpotDemo extends HubSpotRuntime {
  sandbox: HubSpotSandbox;
  tenantId: string;
  /** For createApp: the webhook route (and the uninstall endpoint). */
  routes: HubSpotRouteDeps;
  /** What the first cycle wrote, ready to print. */
  banner: string;
  /** After the service listens: the sandbox starts delivering webhooks. */
  listening(): void;
  stop(): Promise<void>;
}

/**
 * The sandbox is in memory and starts fresh with every process, so the demo tenant forgets what it wrote to
 * the previous one (checkpoints, last written values, outbox) and marks its partitions for recalculation.
 */
async function forgetPreviousSandbox(db: Db, tenantId: string): Promise<void> {
  await sql`DELETE FROM sync_checkpoints WHERE tenant_id = ${tenantId}`.execute(db);
  await sql`DELETE FROM writeback_state WHERE tenant_id = ${tenantId}`.execute(db);
  await sql`DELETE FROM writeback_outbox WHERE tenant_id = ${tenantId}`.execute(db);
  const deals = await listDeals(db, tenantId);
  if (deals.length === 0) return;
  const inputs = await loadCalcInputs(db, tenantId, { deals: false });
  await markDirty(db, tenantId, { partitions: deals.flatMap((d) => domainEngine.touchedPartitions(inputs, null, d)) });
}

function describeWrites(db: Db, tenantId: string, written: readonly DealWrite[], limit: number): Promise<string[]> {
  return (async () => {
    const deals = new Map((await listDeals(db, tenantId)).map((d) => [d.id, d]));
    const payees = new Map((await listPayees(db, tenantId)).map((p) => [p.id, p.name]));
    const rows = written.slice(0, limit).map((w) => {
      const d = deals.get(w.dealId);
      const v = w.values;
      const parts = [
        v.commissionPeriod !== undefined ? `period ${v.commissionPeriod ?? '–'}` : null,
        v.creditedAmount !== undefined ? `credited ${v.creditedAmount ?? '–'}` : null,
        v.earnedCommission !== undefined ? `earned ${v.earnedCommission ?? '–'}` : null,
        v.tierReached !== undefined ? `tier ${v.tierReached ?? '–'}` : null,
        v.ownerAttainment !== undefined ? `owner attainment ${v.ownerAttainment ?? '–'} %` : null,
      ].filter(Boolean);
      return `  deal ${w.dealId} ${d?.name ? `"${d.name}" ` : ''}(${payees.get(d?.ownerId ?? '') ?? 'no owner'}): ${parts.join(', ')}`;
    });
    if (written.length > limit) rows.push(`  … and ${written.length - limit} more deals`);
    return rows;
  })();
}

export async function startHubSpotDemo(options: HubSpotDemoOptions): Promise<HubSpotDemo> {
  const print = options.print ?? ((line: string) => console.log(line));
  const reference = loadReferenceDataSet(fileURLToPath(REFERENCE_DATA_FILE));
  if (!reference)
    throw new Error(
      '[Attain] examples/reference-scenario/data.json is missing: the HubSpot sandbox has nothing to hold',
    );
  const port = options.sandboxPort ?? 4010;
  const scenario = scenarioFromDataSet(reference).scenario;
  const webhookUrl = `${options.publicOrigin.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const sandbox = await startHubSpotSandbox({ scenario, port }).catch(() => startHubSpotSandbox({ scenario, port: 0 }));
  const install: InstallDeps = {
    db: options.store.db,
    cipher: createTokenCipher(options.encryptionKey),
    now: () => new Date(),
  };
  try {
    const existing = await findTenantByCrmAccount(install.db, 'hubspot', String(sandbox.state.portalId));
    if (existing) await forgetPreviousSandbox(install.db, existing);
    const cycle = await runHubSpotCycle({ install, target: sandbox });
    const tenantId = cycle.tenantId;
    const service = new HubSpotSyncService({
      store: options.store,
      now: () => new Date(),
      connectorFor: (t) => connectorForTenant(install, t, null, { basePath: sandbox.url }),
      ...(options.log ? { log: options.log } : {}),
      onPublished: (t, report) => {
        if (report.writeBack.written.length === 0) return;
        void describeWrites(install.db, t, report.writeBack.written, 10).then((rows) =>
          print(
            [`HubSpot webhook → recalculated and wrote back ${report.writeBack.written.length} deal(s):`, ...rows].join(
              '\n',
            ),
          ),
        );
      },
    });
    const someDeal =
      [...sandbox.state.objects.deals.values()].find((d) => d.properties['attain_earned_commission'] !== undefined) ??
      [...sandbox.state.objects.deals.values()][0];
    const lines = [
      `HubSpot (local sandbox ${sandbox.url}, portal ${sandbox.state.portalId}, tenant "${tenantId}"):`,
      `  installed with a static token, ${cycle.provisioning.created.length} properties created (${cycle.provisioning.existing.length} already there), ` +
        `${cycle.sync.dealsRead} deals synced, ${cycle.sync.quotasChanged} quotas from goals, ${cycle.written.length} deals written back:`,
      ...(await describeWrites(install.db, tenantId, cycle.written, 12)),
      '',
      `Change a deal in the sandbox and watch pay follow within seconds (webhook → re-read → recalculate → write back):`,
      `  npx attain sandbox set-deal ${someDeal?.id ?? '<deal id>'} amount=2500000${sandbox.port === 4010 ? '' : ` --url ${sandbox.url}`}`,
      `  (or: curl -s -X PATCH ${sandbox.url}/_sandbox/deals/${someDeal?.id ?? '<deal id>'} -H 'Content-Type: application/json' -d '{"amount":"2500000"}')`,
    ];
    return {
      sandbox,
      tenantId,
      routes: {
        install,
        webhooks: {
          clientSecrets: () => [sandbox.app.clientSecret],
          publicOrigin: options.publicOrigin,
          onEvents: (t) => service.kick(t),
          ...(options.log ? { log: { warn: (f: object, m: string) => options.log!.error(f, m) } } : {}),
        },
      },
      banner: lines.join('\n'),
      listening() {
        sandbox.webhooks.targetUrl = webhookUrl;
        service.startSweep({
          holder: `hubspot-demo-${process.pid}`,
          expression: '*/5 * * * *',
          tenants: async () => [tenantId],
        });
      },
      async stop() {
        await service.stop();
        await sandbox.close();
      },
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}
