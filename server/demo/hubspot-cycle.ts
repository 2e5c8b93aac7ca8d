/**
 * The whole HubSpot cycle against a HubSpot API (the local sandbox by default): install (static token or
 * OAuth) → provision the Attain deal properties → sync → calculate → write back. Returns what was written.
 * Idempotent: running it again on the same store finishes an interrupted run (sync resumes at its checkpoint,
 * recalculation at the dirty marks, write-back at the outbox) and writes nothing that is already in HubSpot.
 */
import { readFileSync } from 'node:fs';
import { parsePlan } from '../../src/plan/index.js';
import type { CalcEngine } from '../calc/engine-port.js';
import { budgetKeyFor, completeOAuthInstall, connectorForTenant, connectStaticToken, type InstallDeps, type InstallResult } from '../crm/hubspot/install.js';
import { HubSpotOAuth } from '../crm/hubspot/oauth.js';
import type { HubSpotConnector, HubSpotConnectorOptions } from '../crm/hubspot/connector.js';
import { DEFAULT_PORTAL_LIMITS, processPortalBudgets } from '../crm/hubspot/limiter.js';
import type { DealWrite, ProvisioningReport } from '../crm/port.js';
import { getTenant, listPlans, savePlanRevision, updateTenantSettings, type Db } from '../store/index.js';
import { syncHubSpot, type HubSpotSyncSettings, type SyncReport } from '../sync/hubspot-sync.js';
import { publishDirty, type PublishReport } from '../writeback/publish.js';

export const REFERENCE_PLAN_FILE = new URL('../../examples/reference-scenario/plan.json', import.meta.url);

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
  if (!parsed.ok) throw new Error(`[Attain] ${String(file)} is not a valid plan: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  await savePlanRevision(db, tenantId, parsed.plan, 'system:hubspot-cycle');
}

export async function runHubSpotCycle(options: HubSpotCycleOptions): Promise<HubSpotCycleResult> {
  const { install, target } = options;
  const mode = options.mode ?? 'static';
  const connectorOptions = { ...(options.connector ?? {}), basePath: target.url };
  const limits = options.connector?.limits ?? DEFAULT_PORTAL_LIMITS;
  const budgets = options.connector?.budgets ?? processPortalBudgets;
  const budgetKey = mode === 'static' ? budgetKeyFor({ mode, portalId: null, accessToken: target.accessToken }) : null;
  if (options.assumeWindowSpent && budgetKey) budgets.forPortal(budgetKey, limits).rolling.pause(Date.now() + limits.intervalMs);

  let installed: InstallResult;
  let oauth: HubSpotOAuth | null = null;
  if (mode === 'static') {
    installed = await connectStaticToken(install, target.accessToken, connectorOptions);
  } else {
    const redirectUri = options.redirectUri ?? 'http://localhost:3000/oauth/hubspot/callback';
    if (!target.issueAuthorizationCode) throw new Error('[Attain] OAuth mode needs a HubSpot that can issue an authorization code (the sandbox)');
    oauth = new HubSpotOAuth({ clientId: target.app.clientId, clientSecret: target.app.clientSecret, redirectUri, basePath: target.url });
    installed = await completeOAuthInstall(install, oauth, target.issueAuthorizationCode(redirectUri));
  }
  const { tenantId } = installed;
  const tenant = await getTenant(install.db, tenantId);
  if (!tenant?.settings['hubspot']) await updateTenantSettings(install.db, tenantId, { hubspot: options.settings ?? { quotaSource: 'goals' } });
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
  return { tenantId, portalId: installed.portalId, mode, provisioning, sync, publish, written: publish.writeBack.written, connector };
}
