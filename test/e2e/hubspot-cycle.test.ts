import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { runHubSpotCycle } from '../../server/demo/hubspot-cycle.js';
import {
  loadReferenceDataSet,
  scenarioFromDataSet,
  startHubSpotSandbox,
  type DataSetMapping,
  type HubSpotSandbox,
} from '../../server/sandbox/hubspot/index.js';
import { PortalBudgets } from '../../server/crm/hubspot/limiter.js';
import { openTestStore } from '../helpers/stores.js';
import { attainState, expectedFromEngine, FIXED_NOW, installDeps, withoutStamp } from './helpers.js';

const reference = loadReferenceDataSet()!;

describe('HubSpot cycle against the sandbox: reference scenario', () => {
  let sandbox: HubSpotSandbox;
  let mapping: DataSetMapping;
  let opened: Awaited<ReturnType<typeof openTestStore>>;

  beforeAll(async () => {
    mapping = scenarioFromDataSet(reference);
    sandbox = await startHubSpotSandbox({ scenario: mapping.scenario });
    opened = await openTestStore('pglite');
  });
  afterAll(async () => {
    await sandbox.close();
    await opened.dispose();
  });

  it('installs, provisions, syncs, calculates and writes back exactly the engine results', async () => {
    const deps = installDeps(opened.store);
    const result = await runHubSpotCycle({
      install: deps,
      target: sandbox,
      connector: { budgets: new PortalBudgets() },
    });
    expect(result.tenantId).toBe(`hubspot-${sandbox.state.portalId}`);
    expect(result.provisioning.created.length).toBe(7);
    expect(result.provisioning.problems).toEqual([]);
    expect(result.sync.dealsRead).toBe(reference.deals.length);
    expect(result.sync.problems).toEqual([]);
    expect(result.sync.quotasChanged).toBe(reference.quotas.length);
    expect(result.written.length).toBeGreaterThan(0);
    expect(result.publish.writeBack.failed).toEqual([]);

    const expected = await expectedFromEngine(opened.store, result.tenantId, FIXED_NOW.toISOString().slice(0, 10));
    const state = attainState(sandbox);
    expect(withoutStamp(state)).toEqual(expected);
    // Every deal that carries values also carries when they were calculated.
    for (const props of Object.values(state))
      if (Object.keys(props).length > 0) expect(props['attain_last_calculated_at']).toBe(FIXED_NOW.toISOString());

    // The reference figures: Anna 120 %, Bo 90 %, Camilla 70 % in Q3 2026, on their won Q3 deals.
    const owner = (payee: string) => mapping.ownerIdOf[payee]!;
    const q3Won = (payee: string) =>
      [...sandbox.state.objects.deals.values()].find(
        (d) =>
          d.properties['hubspot_owner_id'] === owner(payee) &&
          d.properties['attain_commission_period'] === '2026-Q3' &&
          d.properties['attain_earned_commission'] !== undefined,
      );
    expect(q3Won('anna')?.properties['attain_owner_attainment']).toBe('120.00');
    expect(q3Won('bo')?.properties['attain_owner_attainment']).toBe('90.00');
    expect(q3Won('camilla')?.properties['attain_owner_attainment']).toBe('70.00');
  });

  it('a second run reads our own write-back as no change and writes nothing', async () => {
    const deps = installDeps(opened.store);
    const before = sandbox.calls.filter((c) => c.path.endsWith('/batch/update')).length;
    const again = await runHubSpotCycle({
      install: deps,
      target: sandbox,
      connector: { budgets: new PortalBudgets() },
    });
    expect(again.sync.dealsRead).toBeGreaterThan(0); // hs_lastmodifieddate moved when we wrote
    expect(again.sync.dealsChanged).toBe(0);
    expect(again.written).toEqual([]);
    expect(sandbox.calls.filter((c) => c.path.endsWith('/batch/update')).length).toBe(before);
  });

  it('a changed deal rewrites only the values that changed', async () => {
    const deps = installDeps(opened.store);
    const annaQ3 = [...sandbox.state.objects.deals.values()].find(
      (d) =>
        d.properties['hubspot_owner_id'] === mapping.ownerIdOf['anna'] &&
        d.properties['attain_commission_period'] === '2026-Q3' &&
        d.properties['attain_earned_commission'] !== undefined,
    )!;
    sandbox.state.updateDeals([{ id: annaQ3.id, properties: { amount: '1' } }], 'CRM_UI');
    const run = await runHubSpotCycle({ install: deps, target: sandbox, connector: { budgets: new PortalBudgets() } });
    expect(run.sync.dealsChanged).toBe(1);
    const expected = await expectedFromEngine(opened.store, run.tenantId, FIXED_NOW.toISOString().slice(0, 10));
    expect(withoutStamp(attainState(sandbox))).toEqual(expected);
    // Only deals of the payees the changed deal credits (Anna and any split partner) can change.
    const credited = new Set([
      mapping.ownerIdOf['anna']!,
      ...(sandbox.state.splits.get(annaQ3.id) ?? []).map((s) => s.ownerId),
    ]);
    expect(run.written.length).toBeGreaterThan(0);
    for (const w of run.written)
      expect(credited.has(sandbox.state.objects.deals.get(w.dealId)!.properties['hubspot_owner_id']!)).toBe(true);
    // Unchanged fields are not sent: the period of a deal that stays in its quarter is never rewritten.
    expect(run.written.some((w) => 'commissionPeriod' in w.values)).toBe(false);
  });
});

describe('HubSpot cycle: OAuth install', () => {
  it('exchanges the code, keys the tenant by hub id, and keeps tokens encrypted at rest', async () => {
    const sandbox = await startHubSpotSandbox({ scenario: scenarioFromDataSet(reference).scenario });
    const opened = await openTestStore('pglite');
    try {
      const result = await runHubSpotCycle({
        install: installDeps(opened.store),
        target: sandbox,
        mode: 'oauth',
        connector: { budgets: new PortalBudgets() },
      });
      expect(result.tenantId).toBe(`hubspot-${sandbox.state.portalId}`);
      expect(result.written.length).toBeGreaterThan(0);
      const row = await sql<{
        access_token_enc: string;
        refresh_token_enc: string;
      }>`SELECT access_token_enc, refresh_token_enc FROM crm_connections`.execute(opened.store.db);
      const tokens = [...sandbox.state.tokens.keys()];
      for (const t of tokens) {
        expect(row.rows[0]!.access_token_enc).not.toContain(t);
        expect(row.rows[0]!.refresh_token_enc).not.toContain(t);
      }
      expect(row.rows[0]!.access_token_enc.startsWith('v1.')).toBe(true);
    } finally {
      await sandbox.close();
      await opened.dispose();
    }
  });
});
