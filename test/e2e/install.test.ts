/**
 * The install routes against the sandbox: install → consent → callback (state checked) → tenant per portal with
 * encrypted tokens and provisioned properties; refresh ahead of expiry saves the new tokens; uninstall erases them.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { connectorForTenant, tenantConnection } from '../../server/crm/hubspot/install.js';
import { PortalBudgets } from '../../server/crm/hubspot/limiter.js';
import { HubSpotOAuth } from '../../server/crm/hubspot/oauth.js';
import { createLogger } from '../../server/log.js';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../server/sandbox/hubspot/index.js';
import { createApiToken, getCrmConnection, type Store } from '../../server/store/index.js';
import { openTestStore } from '../helpers/stores.js';
import { installDeps } from './helpers.js';

const REDIRECT = 'https://attain.test/oauth/hubspot/callback';

describe('HubSpot install routes', () => {
  let sandbox: HubSpotSandbox;
  let opened: { store: Store; dispose(): Promise<void> };
  let clock = Date.now();
  let deps: ReturnType<typeof installDeps>;
  let oauth: HubSpotOAuth;
  let app: ReturnType<typeof createApp>['app'];

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox();
    opened = await openTestStore('pglite');
    deps = installDeps(opened.store, () => new Date(clock));
    oauth = new HubSpotOAuth({
      clientId: sandbox.app.clientId,
      clientSecret: sandbox.app.clientSecret,
      redirectUri: REDIRECT,
      basePath: sandbox.url,
      authorizeUrl: `${sandbox.url}/oauth/authorize`,
    });
    ({ app } = createApp({
      store: opened.store,
      logger: createLogger('silent'),
      now: () => new Date(clock),
      recalc: { request: async () => ({ runId: 'unused' }) },
      hubspot: {
        install: deps,
        webhooks: {
          clientSecrets: () => [sandbox.app.clientSecret],
          publicOrigin: 'https://attain.test',
          onEvents: () => undefined,
        },
        oauth: { oauth, clientSecret: sandbox.app.clientSecret, features: { goals: true }, basePath: sandbox.url },
      },
    }));
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
    await opened.dispose();
  });

  it('installs through consent and callback, one tenant per portal, tokens encrypted, properties provisioned', async () => {
    const install = await request(app).get('/oauth/hubspot/install').expect(302);
    const consent = new URL(install.headers['location'] as string);
    expect(consent.searchParams.get('client_id')).toBe(sandbox.app.clientId);
    expect(consent.searchParams.get('optional_scope')).toContain('crm.objects.goals.read');
    const granted = await fetch(consent, { redirect: 'manual' });
    const callback = new URL(granted.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe(consent.searchParams.get('state'));

    await request(app)
      .get(`/oauth/hubspot/callback?code=${callback.searchParams.get('code')}&state=forged.1.abc`)
      .expect(400);
    const done = await request(app).get(`/oauth/hubspot/callback${callback.search}`).expect(200);
    expect(done.body.tenantId).toBe(`hubspot-${sandbox.state.portalId}`);
    expect(done.body.provisioning.created).toHaveLength(7);
    const connection = await getCrmConnection(opened.store.db, deps.cipher, done.body.tenantId, 'hubspot');
    expect(connection?.accountId).toBe(String(sandbox.state.portalId));
    expect(sandbox.state.tokens.has(connection!.accessToken)).toBe(true);
  });

  it('refreshes the access token ahead of expiry and saves the new pair', async () => {
    const tenantId = `hubspot-${sandbox.state.portalId}`;
    const before = await getCrmConnection(opened.store.db, deps.cipher, tenantId, 'hubspot');
    // 26 minutes later the 30-minute token is inside the 5-minute refresh margin.
    clock += 26 * 60_000;
    const connector = await connectorForTenant(deps, tenantId, oauth, {
      basePath: sandbox.url,
      budgets: new PortalBudgets(),
    });
    await connector.listPipelines();
    const after = await getCrmConnection(opened.store.db, deps.cipher, tenantId, 'hubspot');
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect(after!.expiresAt!.getTime()).toBeGreaterThan(before!.expiresAt!.getTime());
  });

  it('uninstalls: tokens erased, the connection refuses further use', async () => {
    const tenantId = `hubspot-${sandbox.state.portalId}`;
    const { token } = await createApiToken(opened.store.db, tenantId, { name: 'admin', role: 'admin' });
    await request(app)
      .delete('/api/v1/hubspot/connection')
      .set('Authorization', `Bearer ${token}`)
      .expect(200, { uninstalled: true });
    const c = await getCrmConnection(opened.store.db, deps.cipher, tenantId, 'hubspot');
    expect(c?.status).toBe('uninstalled');
    expect(c?.accessToken).toBe('');
    await expect(tenantConnection(deps, tenantId, oauth)).rejects.toThrow('install the app again');
  });
});
