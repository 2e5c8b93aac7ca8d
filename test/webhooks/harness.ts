/** A synced tenant behind the real Express app with the HubSpot routes mounted, for the webhook tests. */
import { cpSync } from 'node:fs';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { PortalBudgets } from '../../server/crm/hubspot/limiter.js';
import { connectorForTenant } from '../../server/crm/hubspot/install.js';
import { runHubSpotCycle } from '../../server/demo/hubspot-cycle.js';
import { createLogger } from '../../server/log.js';
import {
  loadReferenceDataSet,
  scenarioFromDataSet,
  startHubSpotSandbox,
  signV3,
  type HubSpotSandbox,
  type WebhookEvent,
} from '../../server/sandbox/hubspot/index.js';
import { openStore, type Store } from '../../server/store/index.js';
import { HubSpotSyncService } from '../../server/sync/service.js';
import { createTempDataDir } from '../helpers/stores.js';
import { FIXED_NOW, installDeps } from '../e2e/helpers.js';

export const PUBLIC_ORIGIN = 'https://attain.test';

export interface Harness {
  sandbox: HubSpotSandbox;
  store: Store;
  app: Express;
  tenantId: string;
  service: HubSpotSyncService;
  close(): Promise<void>;
}

/** Creating an embedded store is slow; tests copy one freshly migrated folder. */
export async function templateDataDirs(count: number): Promise<Array<{ dataDir: string; remove(): void }>> {
  const template = createTempDataDir();
  await (await openStore({ dataDir: template.dataDir })).close();
  const dirs = Array.from({ length: count }, () => {
    const d = createTempDataDir();
    cpSync(template.dataDir, d.dataDir, { recursive: true });
    return d;
  });
  template.remove();
  return dirs;
}

export async function startHarness(dir: { dataDir: string; remove(): void }): Promise<Harness> {
  const sandbox = await startHubSpotSandbox({ scenario: scenarioFromDataSet(loadReferenceDataSet()!).scenario });
  const store = await openStore({ dataDir: dir.dataDir });
  const install = installDeps(store);
  const budgets = new PortalBudgets();
  const cycle = await runHubSpotCycle({ install, target: sandbox, connector: { budgets } });
  const service = new HubSpotSyncService({
    store,
    now: () => FIXED_NOW,
    connectorFor: (tenantId) => connectorForTenant(install, tenantId, null, { basePath: sandbox.url, budgets }),
  });
  const { app } = createApp({
    store,
    logger: createLogger('silent'),
    now: () => new Date(),
    recalc: { request: async () => ({ runId: 'not-used-by-these-tests' }) },
    hubspot: {
      install,
      webhooks: {
        clientSecrets: () => [sandbox.app.clientSecret],
        publicOrigin: PUBLIC_ORIGIN,
        onEvents: (t) => service.kick(t),
      },
    },
  });
  return {
    sandbox,
    store,
    app,
    tenantId: cycle.tenantId,
    service,
    async close() {
      await service.stop();
      await sandbox.close();
      await store.close();
      dir.remove();
    },
  };
}

export function signedHeaders(
  secret: string,
  body: string,
  timestamp = Date.now(),
  path = '/hubspot/webhooks',
): Record<string, string> {
  const ts = String(timestamp);
  return {
    'Content-Type': 'application/json',
    'X-HubSpot-Request-Timestamp': ts,
    'X-HubSpot-Signature-v3': signV3(secret, 'POST', PUBLIC_ORIGIN + path, body, ts),
  };
}

export type { WebhookEvent };
