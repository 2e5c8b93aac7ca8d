/**
 * The HubSpot routes as an app feature: webhooks, install/callback and the uninstall endpoint. The feature
 * does nothing unless the process was started with HubSpot dependencies (`AppDeps.hubspot`).
 */
import type { Feature } from '../../app.js';
import type { InstallDeps } from '../../crm/hubspot/install.js';
import { hubspotConnectionEndpoints, mountHubSpotOAuth, type OAuthRouteDeps } from './oauth.js';
import { mountHubSpotWebhooks, type WebhookRouteDeps } from './webhooks.js';

export interface HubSpotRouteDeps {
  install: InstallDeps;
  webhooks: Omit<WebhookRouteDeps, 'db' | 'now'>;
  /** Present when the app's client id and secret are configured. */
  oauth?: Omit<OAuthRouteDeps, 'install'>;
}

export const hubspotFeature: Feature = ({ app, api, deps }) => {
  const h = deps.hubspot;
  if (!h) return;
  mountHubSpotWebhooks(app, { ...h.webhooks, db: deps.store.db, now: deps.now });
  if (h.oauth) mountHubSpotOAuth(app, { ...h.oauth, install: h.install });
  hubspotConnectionEndpoints(api, h.install);
};
