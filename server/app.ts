/**
 * Builds the Express app from its dependencies; `main.ts` listens and handles signals, tests call `createApp`
 * with their own store and clock and talk to it through supertest (never a fixed port).
 *
 * Adding a feature = one line in FEATURES below. A feature is a function that receives
 *   - `api`:  the `/api/v1` router. `api.endpoint({...})` declares an endpoint with zod schemas for params, query
 *             and body; it validates (400 with field errors), authenticates the bearer token, checks `roles`,
 *             and publishes the endpoint in `/api/v1/openapi.json`.
 *   - `app`:  the root Express app, for routes that are not token-authenticated JSON — e.g. HubSpot webhooks and
 *             card requests that need the raw body for signature checks. Those mount their own body parser; no
 *             global body parser runs before them.
 *   - `deps`: the injected dependencies (store, clock, logger, recalculation queue).
 * Every error a feature throws reaches the one JSON error handler at the end (see http/errors.ts).
 */
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Store } from './store/open.js';
import type { Logger } from './log.js';
import { ApiRouter } from './http/endpoint.js';
import { errorHandler, notFoundHandler, unauthorized } from './http/errors.js';
import { createRegistry, generateDocument } from './http/openapi.js';
import { principalFor } from './auth/authenticate.js';
import { healthFeature } from './http/health.js';
import { payeesFeature } from './http/payees.js';
import { teamsFeature } from './http/teams.js';
import { plansFeature } from './http/plans.js';
import { quotasFeature } from './http/quotas.js';
import { assignmentsFeature } from './http/assignments.js';
import { importFeature } from './http/import.js';
import { recalcFeature } from './http/recalc.js';
import { tokensFeature } from './http/tokens.js';
import { hubspotCardsFeature } from './http/cards/feature.js';
import { hubspotFeature, type HubSpotRouteDeps } from './http/hubspot/feature.js';

/** Starts a recalculation of a tenant and returns its run id (the queue coalesces bursts). */
export interface RecalcPort {
  request(input: { tenantId: string; actor: string }): Promise<{ runId: string }>;
}

export interface AppDeps {
  store: Store;
  logger: Logger;
  /** The clock. Everything that stamps a time asks this, so tests pin it. */
  now: () => Date;
  recalc: RecalcPort;
  /** Extra readiness checks (migrations are done once the store is open; a queue may add its own). */
  readiness?: () => Promise<{ ok: boolean; detail?: string }>;
  publicBaseUrl?: string;
  /** HubSpot webhooks, install and uninstall routes (server/http/hubspot); absent = not mounted. */
  hubspot?: HubSpotRouteDeps;
}

export interface FeatureContext {
  api: ApiRouter;
  app: Express;
  deps: AppDeps;
  /** True once shutdown began: /readyz answers 503 so load balancers stop sending work. */
  isDraining: () => boolean;
}

export type Feature = (ctx: FeatureContext) => void;

const FEATURES: Feature[] = [
  healthFeature,
  payeesFeature,
  teamsFeature,
  plansFeature,
  quotasFeature,
  assignmentsFeature,
  importFeature,
  recalcFeature,
  tokensFeature,
  hubspotCardsFeature,
  hubspotFeature,
];

export const API_BASE = '/api/v1';

export interface AttainApp {
  app: Express;
  /** Marks the app as draining (readiness fails; requests already running finish). */
  drain(): void;
}

export function createApp(deps: AppDeps): AttainApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      // Log the path without the query string: queries may carry identifiers we do not need in logs.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
      },
    }),
  );

  const registry = createRegistry();
  const api = new ApiRouter(registry, API_BASE, async (req) => {
    const principal = await principalFor(deps.store.db, req.headers.authorization);
    if (!principal) throw unauthorized();
    return principal;
  });
  let draining = false;
  const ctx: FeatureContext = { api, app, deps, isDraining: () => draining };
  for (const feature of FEATURES) feature(ctx);

  const document = generateDocument(registry, deps.publicBaseUrl);
  app.get(`${API_BASE}/openapi.json`, (_req, res) => {
    res.json(document);
  });
  app.use(API_BASE, api.router);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return {
    app,
    drain: () => {
      draining = true;
    },
  };
}
