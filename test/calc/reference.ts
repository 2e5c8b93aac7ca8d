import { readFileSync } from 'node:fs';
import { dataSetSchema, type DataSet } from '../../src/data/index.js';
import { planSchema, type Plan } from '../../src/plan/index.js';
import {
  savePlanRevision,
  upsertAssignments,
  upsertDeals,
  upsertFxRates,
  upsertPayees,
  upsertPayments,
  upsertQuotas,
  upsertTeams,
  upsertTenant,
  type Db,
} from '../../server/store/index.js';

const root = new URL('../../examples/reference-scenario/', import.meta.url);

export function referenceScenario(): { plan: Plan; data: DataSet } {
  return {
    plan: planSchema.parse(JSON.parse(readFileSync(new URL('plan.json', root), 'utf8'))),
    data: dataSetSchema.parse(JSON.parse(readFileSync(new URL('data.json', root), 'utf8'))),
  };
}

/** Loads the reference scenario into a tenant through the repositories. */
export async function loadReference(db: Db, tenantId: string): Promise<{ plan: Plan; data: DataSet }> {
  const { plan, data } = referenceScenario();
  await upsertTenant(db, { id: tenantId, name: 'Nordlys', currency: 'DKK', fiscalYearStartMonth: 1 });
  await upsertTeams(db, tenantId, data.teams);
  await upsertPayees(db, tenantId, data.payees);
  await upsertQuotas(db, tenantId, data.quotas);
  await upsertDeals(db, tenantId, data.deals);
  await upsertPayments(db, tenantId, data.payments);
  await upsertFxRates(db, tenantId, data.fxRates);
  await upsertAssignments(db, tenantId, data.assignments);
  await savePlanRevision(db, tenantId, plan, 'test');
  return { plan, data };
}
