/** Builds the app on a test store with two tenants and tokens for every role; no port is ever listened on. */
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { createApp, type RecalcPort } from '../../server/app.js';
import { createLogger } from '../../server/log.js';
import { createApiToken, upsertTenant, type Store } from '../../server/store/index.js';

export const NOW = new Date('2026-10-05T08:00:00.000Z');

export const referenceData = JSON.parse(
  readFileSync(new URL('../../examples/reference-scenario/data.json', import.meta.url), 'utf8'),
) as Record<string, unknown[]>;
export const referencePlan = JSON.parse(
  readFileSync(new URL('../../examples/reference-scenario/plan.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/** Records recalculation requests (the queue itself is the jobs engineer's and has its own tests). */
export class RecordingRecalc implements RecalcPort {
  readonly requests: { tenantId: string; actor: string }[] = [];
  async request(input: { tenantId: string; actor: string }) {
    this.requests.push(input);
    return { runId: `run-${this.requests.length}` };
  }
}

export interface Harness {
  app: Express;
  tokens: { admin: string; manager: string; anna: string; bo: string; otherAdmin: string };
  recalc: RecalcPort;
}

let tenantCounter = 0;

/** Two tenants; the first is loaded with the reference data through the import endpoint by `loadReference`. */
export async function buildHarness(
  store: Store,
  recalc: RecalcPort = new RecordingRecalc(),
): Promise<Harness & { tenantId: string; otherTenantId: string; issueRoleTokens(): Promise<void> }> {
  tenantCounter += 1;
  const tenantId = `t${tenantCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const otherTenantId = `${tenantId}-other`;
  await upsertTenant(store.db, { id: tenantId, name: 'Nordlys', currency: 'DKK', fiscalYearStartMonth: 1 });
  await upsertTenant(store.db, { id: otherTenantId, name: 'Other', currency: 'DKK', fiscalYearStartMonth: 1 });
  const admin = (await createApiToken(store.db, tenantId, { name: 'test admin', role: 'admin' })).token;
  const otherAdmin = (await createApiToken(store.db, otherTenantId, { name: 'other admin', role: 'admin' })).token;
  const { app } = createApp({ store, logger: createLogger('silent'), now: () => NOW, recalc });
  const tokens = { admin, otherAdmin, manager: '', anna: '', bo: '' };
  return {
    app,
    tokens,
    recalc,
    tenantId,
    otherTenantId,
    /** Manager and seller tokens need their payees, so they are issued after the data is imported. */
    async issueRoleTokens() {
      tokens.manager = (
        await createApiToken(store.db, tenantId, { name: 'mette', role: 'manager', payeeId: 'mette' })
      ).token;
      tokens.anna = (await createApiToken(store.db, tenantId, { name: 'anna', role: 'seller', payeeId: 'anna' })).token;
      tokens.bo = (await createApiToken(store.db, tenantId, { name: 'bo', role: 'seller', payeeId: 'bo' })).token;
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
