/**
 * The demo tenant: the reference scenario (examples/reference-scenario) loaded the way a customer's data
 * arrives — the plan through plan validation, the data through the import (parse → reference checks → one
 * transaction → audit). Only the first start loads it; later starts find the tenant and keep its data.
 */
import { readFileSync } from 'node:fs';
import { parsePlan } from '../../src/plan/index.js';
import { recordAudit } from '../audit/index.js';
import { applyImport } from '../import/apply.js';
import { parseJsonImport } from '../import/parse.js';
import { savePlanRevision, tenantExists, upsertTenant, type Db } from '../store/index.js';

export const DEMO_TENANT_ID = 'demo';
export const DEMO_TEAM_ID = 'nordic-sales';
export const DEMO_PERIOD = '2026-Q3';
const ACTOR = 'system:demo-loader';

const scenarioFile = (name: string) => new URL(`../../examples/reference-scenario/${name}`, import.meta.url);

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(scenarioFile(name), 'utf8')) as unknown;
}

export interface DemoLoad {
  created: boolean;
  counts?: Record<string, number>;
}

/** Creates and fills the demo tenant unless it exists. All in one transaction: a failed load leaves no half tenant. */
export async function ensureDemoTenant(db: Db, now: Date): Promise<DemoLoad> {
  if (await tenantExists(db, DEMO_TENANT_ID)) return { created: false };
  const plan = parsePlan(readJson('plan.json'));
  if (!plan.ok)
    throw new Error(
      `[Attain] examples/reference-scenario/plan.json is invalid: ${plan.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  const data = parseJsonImport(readJson('data.json'));
  if (!data.ok)
    throw new Error(
      `[Attain] examples/reference-scenario/data.json is invalid: ${data.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );

  return db.transaction().execute(async (trx) => {
    await upsertTenant(trx, {
      id: DEMO_TENANT_ID,
      name: 'Nordlys (demo)',
      currency: plan.plan.currency,
      fiscalYearStartMonth: plan.plan.calendar.fiscalYearStartMonth,
    });
    await recordAudit(trx, {
      tenantId: DEMO_TENANT_ID,
      actor: ACTOR,
      action: 'tenant.created',
      entityType: 'tenant',
      entityId: DEMO_TENANT_ID,
      after: { name: 'Nordlys (demo)' },
      at: now,
    });
    await savePlanRevision(trx, DEMO_TENANT_ID, plan.plan, ACTOR);
    await recordAudit(trx, {
      tenantId: DEMO_TENANT_ID,
      actor: ACTOR,
      action: 'plan.saved',
      entityType: 'plan',
      entityId: plan.plan.id,
      before: null,
      after: plan.plan,
      at: now,
    });
    const applied = await applyImport(trx, DEMO_TENANT_ID, data.batch, data.locate);
    if (!applied.ok)
      throw new Error(
        `[Attain] the reference scenario does not import: ${applied.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    await recordAudit(trx, {
      tenantId: DEMO_TENANT_ID,
      actor: ACTOR,
      action: 'import.applied',
      entityType: 'import',
      entityId: 'reference-scenario',
      before: null,
      after: { counts: applied.counts },
      at: now,
    });
    return { created: true, counts: { ...applied.counts } };
  });
}
