/**
 * HubSpot in a running service with the app's credentials (HUBSPOT_CLIENT_ID / HUBSPOT_CLIENT_SECRET): the
 * install, callback, uninstall and webhook routes, the sync service that works webhooks per tenant, and the
 * sweep over every connected portal (cron, elected once per tick across instances).
 */
import { sql } from 'kysely';
import type { HubSpotRouteDeps } from '../http/hubspot/feature.js';
import { connectorForTenant, type InstallDeps } from '../crm/hubspot/install.js';
import { HubSpotOAuth } from '../crm/hubspot/oauth.js';
import { createTokenCipher } from '../security/token-cipher.js';
import type { Store } from '../store/index.js';
import { HubSpotSyncService, type ServiceLog } from './service.js';

export interface HubSpotRuntimeOptions {
  store: Pick<Store, 'db'>;
  encryptionKey: Buffer;
  clientId: string;
  clientSecret: string;
  /** The origin HubSpot calls (webhook signatures cover it; the OAuth redirect lives under it). */
  publicOrigin: string;
  /** Cron expression of the sweep (default every 5 minutes). */
  sweep?: string;
  holder: string;
  log?: ServiceLog;
}

export interface HubSpotRuntime {
  routes: HubSpotRouteDeps;
  banner: string;
  listening(): void;
  stop(): Promise<void>;
}

export async function connectedHubSpotTenants(store: Pick<Store, 'db'>): Promise<string[]> {
  const r = await sql<{
    tenant_id: string;
  }>`SELECT tenant_id FROM crm_connections WHERE provider = 'hubspot' AND status = 'connected' ORDER BY tenant_id`.execute(
    store.db,
  );
  return r.rows.map((x) => x.tenant_id);
}

export function startHubSpotRuntime(options: HubSpotRuntimeOptions): HubSpotRuntime {
  const origin = options.publicOrigin.replace(/\/+$/, '');
  const install: InstallDeps = {
    db: options.store.db,
    cipher: createTokenCipher(options.encryptionKey),
    now: () => new Date(),
  };
  const oauth = new HubSpotOAuth({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: `${origin}/oauth/hubspot/callback`,
  });
  const service = new HubSpotSyncService({
    store: options.store,
    now: () => new Date(),
    connectorFor: (tenantId) => connectorForTenant(install, tenantId, oauth),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    routes: {
      install,
      webhooks: { clientSecrets: () => [options.clientSecret], publicOrigin: origin, onEvents: (t) => service.kick(t) },
      oauth: {
        oauth,
        clientSecret: options.clientSecret,
        features: { goals: true, dealSplits: true },
        // The first sync runs right after the install.
        onInstalled: (tenantId) =>
          void service
            .syncAndPublish(tenantId)
            .catch((e: unknown) =>
              options.log?.error(
                { tenantId, err: (e as Error).message },
                'first HubSpot sync failed; the sweep retries',
              ),
            ),
      },
    },
    banner: `HubSpot: install at ${origin}/oauth/hubspot/install; webhooks at ${origin}/hubspot/webhooks; sweep ${options.sweep ?? '*/5 * * * *'}.`,
    listening() {
      service.startSweep({
        holder: options.holder,
        expression: options.sweep ?? '*/5 * * * *',
        tenants: () => connectedHubSpotTenants(options.store),
      });
    },
    stop: () => service.stop(),
  };
}
