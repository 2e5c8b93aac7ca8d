/**
 * Estimated commission on open deals through the publish step (reference scenario in a test store, a
 * recording connector): the owner's `estimate` per open deal in the window, only changed values written,
 * deals beyond the window left empty, missing and past close dates estimated as closing today, and a moved
 * window (new period, changed setting) refreshing every open deal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deal } from '../../src/data/index.js';
import { estimate } from '../../src/engine/index.js';
import { loadCalcInputs } from '../../server/calc/load-inputs.js';
import { domainEngine } from '../../server/calc/engine.js';
import type { CrmConnector, DealWrite } from '../../server/crm/port.js';
import { ensureDemoTenant, DEMO_TENANT_ID } from '../../server/demo/reference-scenario.js';
import { getDeal, upsertDeals, updateTenantSettings, type Store } from '../../server/store/index.js';
import { markDirty } from '../../server/sync/dirty.js';
import { estimatePeriodsAhead } from '../../server/writeback/open-deal-estimates.js';
import { publishDirty } from '../../server/writeback/publish.js';
import { openTestStore } from '../helpers/stores.js';

const tenantId = DEMO_TENANT_ID;
const OPEN = ['D-2026-052', 'D-2026-053', 'D-2026-054', 'D-2026-055'];

class RecordingConnector implements Pick<CrmConnector, 'checkProperties' | 'writeDealProperties'> {
  batches: DealWrite[][] = [];
  async checkProperties() {
    return [];
  }
  async writeDealProperties(writes: readonly DealWrite[]) {
    this.batches.push([...writes]);
    return writes.map((w) => ({ dealId: w.dealId, ok: true as const, modifiedAt: null }));
  }
  take(): Map<string, DealWrite['values']> {
    const out = new Map(this.batches.flat().map((w) => [w.dealId, w.values]));
    this.batches = [];
    return out;
  }
}

describe('open-deal estimates in the write-back', () => {
  let opened: { store: Store; dispose(): Promise<void> };
  const connector = new RecordingConnector();
  const publish = (at: string) =>
    publishDirty({ db: opened.store.db, tenantId, connector, now: () => new Date(at), engine: domainEngine });
  /** The owner's commission from the engine's one-deal `estimate` (the oracle). */
  const oracle = async (dealId: string, periodId: string, asOf: string, closeDate?: string) => {
    const inputs = await loadCalcInputs(opened.store.db, tenantId);
    const e = estimate(
      { plans: inputs.plans, data: inputs.data, periodId, asOf },
      dealId,
      closeDate ? { closeDate } : undefined,
    );
    const owner = inputs.data.deals.find((d) => d.id === dealId)!.ownerId;
    return e.payees.find((p) => p.payeeId === owner)!.commission;
  };
  const change = async (deal: Deal) => {
    const db = opened.store.db;
    const [c] = await upsertDeals(db, tenantId, [deal]);
    const inputs = await loadCalcInputs(db, tenantId, { deals: false });
    await markDirty(db, tenantId, {
      dealIds: [deal.id],
      partitions: domainEngine.touchedPartitions(inputs, c!.before, c!.after),
    });
  };

  beforeAll(async () => {
    opened = await openTestStore('pglite');
    await ensureDemoTenant(opened.store.db, new Date('2026-10-01T00:00:00Z'));
  }, 60_000);
  afterAll(async () => {
    await opened.dispose();
  });

  it('writes the owner estimate of every open deal in the current and next quarter, then nothing again', async () => {
    await publish('2026-10-15T09:00:00Z');
    const written = connector.take();
    expect([...written.keys()].sort()).toEqual(OPEN);
    for (const id of OPEN) expect(written.get(id)!.estimatedCommission).toBe(await oracle(id, '2026-Q4', '2026-10-15'));
    // Anna: 615,000 in Q4 2026 on a 900,000 quota she has not yet started → 450,000 × 2 % + 165,000 × 4 %
    expect(written.get('D-2026-055')!.estimatedCommission).toBe('15600.00');
    await publish('2026-10-15T10:00:00Z');
    expect(connector.take().size).toBe(0);
  });

  it('a deal moved beyond the window loses its estimate; one without a close date is estimated as closing today', async () => {
    const db = opened.store.db;
    const bo = (await getDeal(db, tenantId, 'D-2026-053'))!;
    await change({ ...bo, closeDate: '2027-05-04' });
    const ida = (await getDeal(db, tenantId, 'D-2026-054'))!;
    await change({ ...ida, closeDate: null });
    await publish('2026-10-16T09:00:00Z');
    const written = connector.take();
    expect(written.get('D-2026-053')).toMatchObject({ estimatedCommission: null });
    expect(written.get('D-2026-054')!.estimatedCommission).toBe(await oracle('D-2026-054', '2026-Q4', '2026-10-16'));
    // the other open deals' owners are untouched: nothing rewritten (the won deals of Bo's and Ida's
    // recalculated partitions are written for the first time here; the demo store had no statements yet)
    expect(written.has('D-2026-052') || written.has('D-2026-055')).toBe(false);
  });

  it('a wider window (tenant setting) and a new quarter refresh every open deal; past close dates estimate into today', async () => {
    const db = opened.store.db;
    await updateTenantSettings(db, tenantId, { hubspot: { estimatePeriodsAhead: 3 } });
    await publish('2026-10-17T09:00:00Z');
    expect(connector.take().get('D-2026-053')!.estimatedCommission).toBe(
      await oracle('D-2026-053', '2026-Q4', '2026-10-17'),
    );

    // 2027-01-10: the December deals are overdue and estimated as closing today, in 2027-Q1.
    await publish('2027-01-10T09:00:00Z');
    const written = connector.take();
    for (const id of ['D-2026-052', 'D-2026-055'])
      expect(written.get(id)!.estimatedCommission).toBe(await oracle(id, '2027-Q1', '2027-01-10', '2027-01-10'));
    expect(written.get('D-2026-055')!.estimatedCommission).not.toBe('15600.00');
  });

  it('null turns estimates off and clears them; a bad setting is refused with its field named', async () => {
    const db = opened.store.db;
    await updateTenantSettings(db, tenantId, { hubspot: { estimatePeriodsAhead: null } });
    await publish('2027-01-11T09:00:00Z');
    const written = connector.take();
    expect([...written.keys()].sort()).toEqual(OPEN);
    for (const v of written.values()) expect(v.estimatedCommission).toBeNull();
    await updateTenantSettings(db, tenantId, { hubspot: { estimatePeriodsAhead: -1 } });
    await expect(estimatePeriodsAhead(db, tenantId)).rejects.toThrow(/hubspot.estimatePeriodsAhead must be 0 or more/);
  });
});
