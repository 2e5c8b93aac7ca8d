/**
 * HubSpot app install: GET /oauth/hubspot/install redirects to HubSpot's consent screen; GET
 * /oauth/hubspot/callback exchanges the code, creates (or finds) the portal's tenant, stores the tokens
 * encrypted and provisions the Attain deal properties. The `state` is HMAC-signed with the client secret and
 * expires after ten minutes, so a callback not started here is refused. DELETE /api/v1/hubspot/connection
 * (admin) uninstalls: tokens erased, connection marked.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { ApiRouter } from '../endpoint.js';
import { completeOAuthInstall, connectorForTenant, uninstall, type InstallDeps } from '../../crm/hubspot/install.js';
import type { HubSpotOAuth, ScopeFeatures } from '../../crm/hubspot/oauth.js';
import type { ProvisioningReport } from '../../crm/port.js';
import { invalid, notFound } from '../errors.js';

export interface OAuthRouteDeps {
  install: InstallDeps;
  oauth: HubSpotOAuth;
  clientSecret: string;
  features: ScopeFeatures;
  /** API origin for connectors (the sandbox); HubSpot's by default. */
  basePath?: string;
  onInstalled?: (tenantId: string) => void;
}

const STATE_TTL_MS = 10 * 60_000;

export function signState(secret: string, at: number, nonce = randomBytes(12).toString('base64url')): string {
  const body = `${nonce}.${at}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export function checkState(secret: string, state: string, now: number): boolean {
  const [nonce, at, mac] = state.split('.');
  if (!nonce || !at || !mac || !/^\d+$/.test(at)) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${nonce}.${at}`).digest('base64url'));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const age = now - Number(at);
  return age >= 0 && age <= STATE_TTL_MS;
}

const callbackQuery = z.object({ code: z.string().min(1, 'is required'), state: z.string().min(1, 'is required') });

export function mountHubSpotOAuth(app: Express, deps: OAuthRouteDeps): void {
  app.get('/oauth/hubspot/install', (_req: Request, res: Response) => {
    res.redirect(
      302,
      deps.oauth.authorizationUrl(deps.features, signState(deps.clientSecret, deps.install.now().getTime())),
    );
  });

  app.get('/oauth/hubspot/callback', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const q = callbackQuery.safeParse(req.query);
      if (!q.success)
        throw invalid(
          q.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message })),
          'The install callback needs code and state.',
        );
      if (!checkState(deps.clientSecret, q.data.state, deps.install.now().getTime())) {
        throw invalid(
          [{ path: 'query.state', message: 'is not one this server issued, or is older than ten minutes' }],
          'Start the install again.',
        );
      }
      const installed = await completeOAuthInstall(deps.install, deps.oauth, q.data.code);
      const connector = await connectorForTenant(
        deps.install,
        installed.tenantId,
        deps.oauth,
        deps.basePath ? { basePath: deps.basePath } : {},
      );
      const provisioning: ProvisioningReport = await connector.ensureProperties();
      deps.onInstalled?.(installed.tenantId);
      res.json({ tenantId: installed.tenantId, portalId: installed.portalId, scopes: installed.scopes, provisioning });
    } catch (error) {
      next(error);
    }
  });
}

export function hubspotConnectionEndpoints(api: ApiRouter, install: InstallDeps): void {
  api.endpoint({
    method: 'delete',
    path: '/hubspot/connection',
    tag: 'HubSpot',
    summary: "Uninstall: erase the tenant's HubSpot tokens and mark the connection; synced data and statements stay",
    roles: ['admin'],
    response: z.object({ uninstalled: z.literal(true) }),
    handle: async ({ principal }) => {
      if (!(await uninstall(install, principal.tenantId))) throw notFound('A HubSpot connection');
      return { uninstalled: true as const };
    },
  });
}
