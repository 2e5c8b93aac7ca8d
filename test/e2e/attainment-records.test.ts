import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHubSpotCycle } from '../../server/demo/hubspot-cycle.js';
import {
  loadReferenceDataSet,
  scenarioFromDataSet,
  startHubSpotSandbox,
  type DataSetMapping,
  type HubSpotSandbox,
} from '../../server/sandbox/hubspot/index.js';
import { PortalBudgets } from '../../server/crm/hubspot/limiter.js';
import { loadCalcInputs } from '../../server/calc/load-inputs.js';
import { attainmentRecordsStatus } from '../../server/writeback/attainment-records.js';
import { calculate } from '../../src/engine/index.js';
import { openTestStore } from '../helpers/stores.js';
import { FIXED_NOW, installDeps } from './helpers.js';

const reference = loadReferenceDataSet()!;
const upserts = (sandbox: HubSpotSandbox) => sandbox.calls.filter((c) => c.path.endsWith('/batch/upsert')).length;
const schemaCalls = (sandbox: HubSpotSandbox) => sandbox.calls.filter((c) => c.path.includes('/schemas')).length;

describe('attainment records against the sandbox with custom objects on', () => {
  let sandbox: HubSpotSandbox;
  let mapping: DataSetMapping;
  let opened: Awaited<ReturnType<typeof openTestStore>>;

  beforeAll(async () => {
    mapping = scenarioFromDataSet(reference);
    mapping.scenario.portal.customObjects = true;
    sandbox = await startHubSpotSandbox({ scenario: mapping.scenario });
    opened = await openTestStore('pglite');
  });
  afterAll(async () => {
    await sandbox.close();
    await opened.dispose();
  });

  it("writes one record per payee and published quarter and year; Anna's 2026-Q3 matches the engine", async () => {
    const run = await runHubSpotCycle({
      install: installDeps(opened.store),
      target: sandbox,
      connector: { budgets: new PortalBudgets() },
    });
    const report = run.publish.attainmentRecords!;
    expect(report.status).toBe('written');
    expect(report.failed).toEqual([]);
    expect(await attainmentRecordsStatus(opened.store.db, run.tenantId)).toBe('written');

    const [schema] = [...sandbox.state.custom.schemas.values()];
    expect(schema?.name).toBe('attain_attainment');
    const records = [...sandbox.state.custom.records.get(schema!.objectTypeId)!.values()];
    expect(records.length).toBe(report.written.length);
    // Quarters and years only, one record per key.
    const keys = records.map((r) => r.properties['attain_key']!);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^\d+:\d{4}(-Q[1-4])?$/);

    const annaOwner = mapping.ownerIdOf['anna']!;
    const anna = records.find((r) => r.properties['attain_key'] === `${annaOwner}:2026-Q3`)!;
    const inputs = await loadCalcInputs(opened.store.db, run.tenantId);
    const engine = calculate({
      plans: inputs.plans,
      data: inputs.data,
      periodId: '2026-Q3',
      asOf: FIXED_NOW.toISOString().slice(0, 10),
      explain: false,
    }).payees.find((p) => p.payeeId === annaOwner)!;
    expect(anna.properties).toMatchObject({
      attain_owner_id: annaOwner,
      attain_period: '2026-Q3',
      attain_currency: 'DKK',
      attain_quota: engine.quota,
      attain_credited: engine.credited,
      attain_attainment_percent: '120.00',
      attain_earnings: engine.earnings,
    });
    expect(Number(anna.properties['attain_quota'])).toBe(900000);
    expect(Number(anna.properties['attain_credited'])).toBe(1080000);
    // The year record is there too.
    expect(keys).toContain(`${annaOwner}:2026`);
  });

  it('a second run writes nothing and creates no second schema', async () => {
    const before = { upserts: upserts(sandbox), schemas: schemaCalls(sandbox) };
    const again = await runHubSpotCycle({
      install: installDeps(opened.store),
      target: sandbox,
      connector: { budgets: new PortalBudgets() },
    });
    expect(again.written).toEqual([]);
    expect(upserts(sandbox)).toBe(before.upserts);
    // A new connector (new process) may look the schema up, but never creates a second one.
    expect(sandbox.state.custom.schemas.size).toBe(1);
    expect(again.publish.attainmentRecords?.written ?? []).toEqual([]);
  });

  it('a changed deal rewrites only the changed figures of its owner', async () => {
    const annaOwner = mapping.ownerIdOf['anna']!;
    const annaQ3 = [...sandbox.state.objects.deals.values()].find(
      (d) =>
        d.properties['hubspot_owner_id'] === annaOwner &&
        d.properties['attain_commission_period'] === '2026-Q3' &&
        d.properties['attain_earned_commission'] !== undefined,
    )!;
    const amount = annaQ3.properties['amount']!;
    sandbox.state.updateDeals([{ id: annaQ3.id, properties: { amount: String(Number(amount) + 100000) } }], 'CRM_UI');
    const run = await runHubSpotCycle({
      install: installDeps(opened.store),
      target: sandbox,
      connector: { budgets: new PortalBudgets() },
    });
    const written = run.publish.attainmentRecords!.written;
    expect(written.length).toBeGreaterThan(0);
    const partners = new Set([annaOwner, ...(sandbox.state.splits.get(annaQ3.id) ?? []).map((s) => s.ownerId)]);
    for (const w of written) {
      expect(partners.has(w.payeeId)).toBe(true);
      // Quota did not change, so it is not sent.
      expect('quota' in w).toBe(false);
    }
  });
});

describe('attainment records without custom objects', () => {
  it('writes nothing and says why in the status the settings page reads', async () => {
    const mapping = scenarioFromDataSet(reference);
    mapping.scenario.portal.customObjects = false;
    const sandbox = await startHubSpotSandbox({ scenario: mapping.scenario });
    const opened = await openTestStore('pglite');
    try {
      const run = await runHubSpotCycle({
        install: installDeps(opened.store),
        target: sandbox,
        connector: { budgets: new PortalBudgets() },
      });
      expect(run.written.length).toBeGreaterThan(0);
      expect(run.publish.attainmentRecords).toEqual({ status: 'unavailable', written: [], unchanged: 0, failed: [] });
      expect(await attainmentRecordsStatus(opened.store.db, run.tenantId)).toBe('unavailable');
      expect(upserts(sandbox)).toBe(0);
      expect(sandbox.calls.some((c) => c.method === 'POST' && c.path.includes('/schemas'))).toBe(false);
      expect(sandbox.state.custom.schemas.size).toBe(0);
    } finally {
      await sandbox.close();
      await opened.dispose();
    }
  });
});
