/**
 * The card API on a real store: the reference scenario loaded into two tenants, each connected to a HubSpot
 * portal, results published by the recalculation service, and requests signed exactly as HubSpot signs them.
 *
 * - portal 12345 → "live" tenant seen on 2026-09-15: Anna's D-2026-024 (150,000, closes 2026-09-22) is still
 *   open, so her published Q3 is 930,000 (103.3 %) and the deal would take her to 1,080,000 (120 %).
 * - portal 23456 → "closed" tenant: the scenario as published after Q3 (team 8,100,000 / 9,000,000 = 90 %).
 * HubSpot users: 1000 Mette (manager), 1001 Anna, 1002 Bo, 9000 an admin without a payee.
 */
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { dataSetSchema, type Deal } from '../../src/data/index.js';
import { planSchema, type Plan } from '../../src/plan/index.js';
import { createApp, type RecalcPort } from '../../server/app.js';
import { signV3 } from '../../server/auth/hubspot-signature.js';
import { recalculateTenant } from '../../server/calc/recalculate.js';
import { createLogger } from '../../server/log.js';
import { createTokenCipher } from '../../server/security/token-cipher.js';
import { domainEngine } from '../../server/calc/engine.js';
import {
  saveCrmConnection,
  savePlanRevision,
  upsertDeals,
  upsertPayees,
  upsertQuotas,
  upsertTeams,
  upsertTenant,
  type Store,
} from '../../server/store/index.js';

export const ORIGIN = 'https://api.attain.example';
export const SECRET = 'hubspot-client-secret-for-tests';
export const APP_ID = '4242';
export const NOW = new Date('2026-09-15T10:00:00.000Z');
export const CLOSED_AS_OF = new Date('2026-10-05T08:00:00Z');
export const PORTAL_LIVE = '12345';
export const PORTAL_CLOSED = '23456';
export const USERS = { mette: '1000', anna: '1001', bo: '1002', admin: '9000', stranger: '5555' } as const;

const referenceData = JSON.parse(
  readFileSync(new URL('../../examples/reference-scenario/data.json', import.meta.url), 'utf8'),
) as unknown;
const referencePlan = JSON.parse(
  readFileSync(new URL('../../examples/reference-scenario/plan.json', import.meta.url), 'utf8'),
) as unknown;
const HUBSPOT_USER: Record<string, string> = { mette: USERS.mette, anna: USERS.anna, bo: USERS.bo };

export class RecordingRecalc implements RecalcPort {
  readonly requests: { tenantId: string; actor: string }[] = [];
  async request(input: { tenantId: string; actor: string }) {
    this.requests.push(input);
    return { runId: `run-${this.requests.length}` };
  }
}

export async function seedTenant(
  store: Store,
  tenantId: string,
  portalId: string,
  asOf: Date,
  mapDeal: (d: Deal) => Deal,
  mapPlan: (p: Plan) => Plan = (p) => p,
): Promise<void> {
  const data = dataSetSchema.parse(referenceData);
  const plan = mapPlan(planSchema.parse(referencePlan));
  const db = store.db;
  await upsertTenant(db, {
    id: tenantId,
    name: 'Nordlys',
    currency: 'DKK',
    fiscalYearStartMonth: 1,
    settings: { hubspotAdminUserIds: [USERS.admin] },
  });
  await upsertTeams(db, tenantId, data.teams);
  await upsertPayees(
    db,
    tenantId,
    data.payees.map((p) =>
      HUBSPOT_USER[p.id] ? { ...p, crm: { hubspotOwnerId: `owner-${p.id}`, hubspotUserId: HUBSPOT_USER[p.id] } } : p,
    ),
  );
  await upsertQuotas(db, tenantId, data.quotas);
  await upsertDeals(db, tenantId, data.deals.map(mapDeal));
  await savePlanRevision(db, tenantId, plan, 'test');
  const cipher = createTokenCipher(Buffer.alloc(32, 7));
  await saveCrmConnection(
    db,
    cipher,
    tenantId,
    {
      provider: 'hubspot',
      accountId: portalId,
      instanceUrl: null,
      accessToken: 'x',
      refreshToken: null,
      expiresAt: null,
      scopes: [],
      status: 'connected',
    },
    asOf,
  );
  await recalculateTenant(db, tenantId, { now: asOf, engine: domainEngine, actor: 'test', years: ['2026'] });
}

export async function buildCardHarness(
  store: Store,
): Promise<{ app: Express; recalc: RecordingRecalc; closedTenant: string }> {
  const suffix = Math.random().toString(36).slice(2, 8);
  await seedTenant(store, `live-${suffix}`, PORTAL_LIVE, NOW, (d) =>
    d.id === 'D-2026-024' ? { ...d, status: 'open', probability: '0.9' } : d,
  );
  await seedTenant(store, `closed-${suffix}`, PORTAL_CLOSED, CLOSED_AS_OF, (d) => d);
  process.env.HUBSPOT_CLIENT_SECRET = SECRET;
  process.env.HUBSPOT_APP_ID = APP_ID;
  const recalc = new RecordingRecalc();
  const { app } = createApp({ store, logger: createLogger('silent'), now: () => NOW, recalc, publicBaseUrl: ORIGIN });
  return { app, recalc, closedTenant: `closed-${suffix}` };
}

export interface SignOptions {
  method?: string;
  body?: string;
  timestamp?: number;
  secret?: string;
}

/** What HubSpot's proxy does: append the identity parameters, then sign method + full URL + raw body + timestamp. */
export function hubspotUrl(path: string, portalId: string, userId: string, appId = APP_ID): string {
  return `${path}${path.includes('?') ? '&' : '?'}appId=${appId}&portalId=${portalId}&userId=${userId}&userEmail=someone%40nordlys.example`;
}

export function signedHeaders(pathWithQuery: string, opts: SignOptions = {}): Record<string, string> {
  const timestamp = String(opts.timestamp ?? NOW.getTime());
  const signature = signV3(opts.secret ?? SECRET, {
    method: opts.method ?? 'GET',
    uri: ORIGIN + pathWithQuery,
    rawBody: opts.body ?? '',
    timestamp,
  });
  return {
    'X-HubSpot-Signature-v3': signature,
    'X-HubSpot-Request-Timestamp': timestamp,
    ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
  };
}
