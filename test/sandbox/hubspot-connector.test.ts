import { describe, expect, it } from 'vitest';
import type { DataSet, Deal } from '../../src/data/index.js';
import { Decimal, toDecimalString } from '../../src/money/index.js';
import {
  HubSpotConnector,
  PortalBudgets,
  staticToken,
  type PortalLimits,
  type RetryEvent,
} from '../../server/crm/hubspot/index.js';
import {
  calendarPeriod,
  generateScenario,
  loadReferenceDataSet,
  scenarioFromDataSet,
  type DataSetMapping,
  type HubSpotSandbox,
} from '../../server/sandbox/hubspot/index.js';
import { sandboxPerTest } from './setup.js';

const startSandbox = sandboxPerTest();
let sandbox: HubSpotSandbox | null = null;

let portals = 0;
function connect(
  sb: HubSpotSandbox,
  limits: PortalLimits,
  extra: { timeoutMs?: number; onRetry?: (e: RetryEvent) => void } = {},
) {
  return new HubSpotConnector({
    portalKey: `sandbox-${++portals}`,
    accessToken: staticToken(sb.accessToken),
    basePath: sb.url,
    limits,
    budgets: new PortalBudgets(),
    retry: { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  });
}

async function allDeals(connector: HubSpotConnector): Promise<Deal[]> {
  const deals: Deal[] = [];
  for await (const page of connector.searchDealsModifiedSince()) {
    expect(page.problems).toEqual([]);
    deals.push(...page.deals);
  }
  return deals;
}

const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
const canonical = (s: string) => toDecimalString(new Decimal(s));

/** What HubSpot can carry of each data-set deal, under the HubSpot ids the sandbox gave it. */
function expectedDeals(data: DataSet, m: DataSetMapping): Deal[] {
  return data.deals.map((d) => ({
    id: m.dealIdOf[d.id]!,
    name: d.name ?? d.id,
    ownerId: d.ownerId ? m.ownerIdOf[d.ownerId]! : null,
    amount: canonical(d.amount),
    currency: d.currency,
    status: d.status,
    closeDate: d.closeDate,
    ...(d.createdDate ? { createdDate: d.createdDate } : {}),
    ...(d.status === 'open' && d.probability ? { probability: canonical(d.probability) } : {}),
    pipeline: 'default',
    stage: d.stage!,
    ...(d.dealType ? { dealType: d.dealType } : {}),
  }));
}

const reference = loadReferenceDataSet();

describe('connector against the sandbox: the reference scenario', () => {
  it.runIf(reference !== null)(
    'reads every payee, team, deal, split and quota exactly, inside the rolling limit',
    async () => {
      const data = reference!;
      const mapping = scenarioFromDataSet(data);
      const limits = { requestsPerInterval: 5, intervalMs: 1_000, searchesPerSecond: 2 };
      sandbox = await startSandbox({ scenario: mapping.scenario, limits });
      const connector = connect(sandbox, limits);
      const periods = [...new Set(data.quotas.map((q) => q.periodId))].sort();

      // Everything at once: one portal budget serves all of it.
      const [payees, teams, deals, goals] = await Promise.all([
        connector.listPayees(),
        connector.listTeams(),
        allDeals(connector),
        Promise.all(periods.map((periodId) => connector.readGoals({ periodId, ...calendarPeriod(periodId) }))),
      ]);
      const [splits, contacts] = await Promise.all([
        connector.readSplits(deals.map((d) => d.id)),
        connector.readDealContacts(deals.map((d) => d.id)),
      ]);

      expect(payees.problems).toEqual([]);
      expect(byId(payees.payees)).toEqual(
        byId(
          data.payees.map((p, i) => ({
            id: mapping.ownerIdOf[p.id]!,
            name: p.name,
            email: p.email!,
            teamId: p.teamId ? mapping.teamIdOf[p.teamId]! : null,
            crm: {
              hubspotOwnerId: mapping.ownerIdOf[p.id]!,
              hubspotUserId: String(mapping.scenario.owners[i]!.userId),
            },
          })),
        ),
      );
      expect(teams).toEqual(data.teams.map((t) => ({ id: mapping.teamIdOf[t.id]!, name: t.name })));
      expect(byId(deals)).toEqual(byId(expectedDeals(data, mapping)));

      const expectedSplits: Record<string, unknown> = {};
      for (const d of data.deals) {
        expectedSplits[mapping.dealIdOf[d.id]!] = (d.splits ?? []).map((s) => ({
          payeeId: mapping.ownerIdOf[s.payeeId],
          share: canonical(s.share),
          type: 'revenue',
        }));
      }
      expect(splits).toEqual({ splits: expectedSplits, problems: [] });
      expect(Object.values(contacts).every((c) => c.length === 0)).toBe(true);

      goals.forEach((read, i) => {
        const periodId = periods[i]!;
        expect(read.problems).toEqual([]);
        const want = data.quotas
          .filter((q) => q.periodId === periodId)
          .map((q) => ({ payeeId: mapping.ownerIdOf[q.payeeId]!, periodId, amount: canonical(q.amount) }));
        expect(read.quotas).toEqual([...want].sort((a, b) => a.payeeId.localeCompare(b.payeeId)));
      });

      // The Q3 2026 numbers of the product guide, as HubSpot data: Anna 1,080,000 credited on a 900,000 quota.
      const anna = mapping.ownerIdOf['anna']!;
      const annaQ3 = deals
        .filter((d) => d.status === 'won' && d.closeDate! >= '2026-07-01' && d.closeDate! < '2026-10-01')
        .map((d) => {
          const share =
            splits.splits[d.id]!.find((s) => s.payeeId === anna)?.share ??
            (d.ownerId === anna && splits.splits[d.id]!.length === 0 ? '1' : '0');
          return new Decimal(d.amount).times(share);
        })
        .reduce((a, b) => a.plus(b), new Decimal(0));
      expect(toDecimalString(annaQ3)).toBe('1080000');

      const stats = sandbox.stats();
      expect(stats.byOutcome['rate-limited']).toBeUndefined();
      expect(stats.byOutcome['search-rate-limited']).toBeUndefined();
      expect(stats.maxArrivalsInWindow).toBeLessThanOrEqual(limits.requestsPerInterval);
      expect(stats.total).toBeGreaterThan(limits.requestsPerInterval);
    },
  );

  it('writes result properties that read back exactly, and provisions them once', async () => {
    const limits = { requestsPerInterval: 100, intervalMs: 10_000, searchesPerSecond: 4 };
    sandbox = await startSandbox({ scenario: generateScenario({ owners: 3, dealsPerOwner: 50 }), limits });
    const connector = connect(sandbox, limits);
    expect((await connector.ensureProperties()).created).toHaveLength(7);
    expect(await connector.checkProperties()).toEqual([]);
    expect((await connector.ensureProperties()).created).toEqual([]);
    const ids = [...sandbox.state.objects.deals.keys()];
    const results = await connector.writeDealProperties(
      ids.map((dealId, i) => ({
        dealId,
        values: {
          earnedCommission: `${i}.25`,
          commissionPeriod: '2026-Q3',
          ownerAttainment: '120',
          lastCalculatedAt: '2026-10-02T08:00:00.000Z',
        },
      })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    ids.forEach((id, i) => {
      const p = sandbox!.state.objects.deals.get(id)!.properties;
      expect([
        p['attain_earned_commission'],
        p['attain_commission_period'],
        p['attain_owner_attainment'],
        p['attain_last_calculated_at'],
      ]).toEqual([`${i}.25`, '2026-Q3', '120', '2026-10-02T08:00:00.000Z']);
    });
    // The write moved hs_lastmodifieddate, and the connector handed the new stamp back for echo suppression.
    const first = results[0]!;
    expect(first.ok && first.modifiedAt).toBe(
      sandbox.state.objects.deals.get(ids[0]!)!.properties['hs_lastmodifieddate'],
    );
  });
});

describe('connector against the sandbox: multi-currency', () => {
  it('reads a EUR deal in its own currency with the home-currency amount from the portal', async () => {
    const data: DataSet = {
      payees: [{ id: 'anna', name: 'Anna Jensen', teamId: null }],
      teams: [],
      quotas: [],
      deals: [
        {
          id: 'D-1',
          name: 'Kiel GmbH',
          ownerId: 'anna',
          amount: '100000',
          currency: 'EUR',
          status: 'won',
          closeDate: '2026-08-03',
        },
        {
          id: 'D-2',
          name: 'Aarhus A/S',
          ownerId: 'anna',
          amount: '250000',
          currency: 'DKK',
          status: 'won',
          closeDate: '2026-08-04',
        },
      ],
      payments: [],
      fxRates: [{ from: 'EUR', to: 'DKK', date: '2026-08-01', rate: '7.4603' }],
      assignments: [],
    };
    const mapping = scenarioFromDataSet(data);
    expect(mapping.scenario.portal.additionalCurrencies).toEqual(['EUR']);
    sandbox = await startSandbox({ scenario: mapping.scenario });
    const connector = connect(sandbox, { requestsPerInterval: 100, intervalMs: 10_000, searchesPerSecond: 4 });
    expect((await connector.capabilities()).multiCurrency).toBe(true);
    const deals = byId(await allDeals(connector));
    expect(deals.map((d) => [d.amount, d.currency, d.attributes])).toEqual([
      ['100000', 'EUR', { amountInHomeCurrency: '746030', homeCurrency: 'DKK' }],
      ['250000', 'DKK', undefined],
    ]);
  });
});

describe('connector against the sandbox: past the search cap', () => {
  const fast = { requestsPerInterval: 1_000, intervalMs: 10_000, searchesPerSecond: 50 };

  it('reads 10,050 deals with distinct stamps, none lost and none twice, even when deals change mid-read', async () => {
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 10, dealsPerOwner: 1005, contactsPerDeal: 0 }),
      limits: fast,
    });
    const connector = connect(sandbox, fast);
    const seen = new Map<string, Deal[]>();
    let pages = 0;
    const changed = ['30000000001', '30000000050', '30000009000', '30000010050'];
    for await (const page of connector.searchDealsModifiedSince('2026-01-01T00:00:00.000Z')) {
      pages++;
      for (const d of page.deals) seen.set(d.id, [...(seen.get(d.id) ?? []), d]);
      // Two already read and two not yet read change after the first page: offset paging would now skip one.
      if (pages === 1)
        sandbox.state.updateDeals(
          changed.map((id) => ({ id, properties: { amount: '4242' } })),
          'CRM_UI',
        );
    }
    expect(seen.size).toBe(10_050);
    for (const id of changed) expect(seen.get(id)!.at(-1)!.amount).toBe('4242');
    const twice = [...seen].filter(([, versions]) => versions.length > 1).map(([id]) => id);
    expect(twice.sort()).toEqual(['30000000001', '30000000050']);
    expect(sandbox.stats().byOutcome['error']).toBeUndefined();
  });

  it('reads deals that all share one stamp (a bulk import) by paging that stamp by id', async () => {
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 2, dealsPerOwner: 1005, contactsPerDeal: 0, stepMs: 0 }),
      limits: fast,
    });
    const connector = connect(sandbox, fast);
    const ids = (await allDeals(connector)).map((d) => d.id);
    expect(ids).toHaveLength(2_010);
    expect(new Set(ids).size).toBe(2_010);
    expect(sandbox.stats().byOutcome['error']).toBeUndefined();
  });
});

describe('connector against the sandbox: faults', () => {
  it('with 30 % 429s, 5 % 5xx, 2 % timeouts and 2 % resets reads and writes exactly what a fault-free run does, inside the limit', async () => {
    const limits = { requestsPerInterval: 20, intervalMs: 500, searchesPerSecond: 4 };
    const scenario = generateScenario({ owners: 5, dealsPerOwner: 60, seed: 11 });
    sandbox = await startSandbox({
      scenario,
      limits,
      faults: { rate429: 0.3, rate5xx: 0.05, timeout: 0.02, reset: 0.02, hangMs: 2_000, seed: 42 },
    });
    const retries: RetryEvent[] = [];
    const connector = connect(sandbox, limits, { timeoutMs: 400, onRetry: (e) => retries.push(e) });

    const deals = byId(await allDeals(connector));
    const splits = await connector.readSplits(deals.map((d) => d.id));
    const goals = await connector.readGoals({ periodId: '2026-Q3', ...calendarPeriod('2026-Q3') });
    await connector.ensureProperties();
    const writes = deals.map((d) => ({
      dealId: d.id,
      values: { estimatedCommission: canonical(new Decimal(d.amount).times('0.05').toFixed(2)) },
    }));
    const written = await connector.writeDealProperties(writes);

    sandbox.faults.update({ rate429: 0, rate5xx: 0, timeout: 0, reset: 0 });
    const clean = connect(sandbox, limits);
    expect(deals).toEqual(byId(await allDeals(clean)));
    expect(splits).toEqual(await clean.readSplits(deals.map((d) => d.id)));
    expect(goals).toEqual(await clean.readGoals({ periodId: '2026-Q3', ...calendarPeriod('2026-Q3') }));
    expect(written.every((w) => w.ok)).toBe(true);
    for (const w of writes)
      expect(sandbox.state.objects.deals.get(w.dealId)!.properties['attain_estimated_commission']).toBe(
        w.values.estimatedCommission,
      );

    const stats = sandbox.stats();
    expect(stats.byOutcome['fault-429']).toBeGreaterThan(0);
    const kinds = new Set(retries.map((r) => r.kind));
    expect(kinds.has('rate-limit')).toBe(true);
    expect([...kinds].every((k) => ['rate-limit', 'server', 'timeout', 'network'].includes(k))).toBe(true);
    const injected = ['fault-429', 'fault-5xx', 'fault-timeout', 'fault-reset'].reduce(
      (n, k) => n + (stats.byOutcome[k as 'fault-429'] ?? 0),
      0,
    );
    expect(retries.length).toBeGreaterThanOrEqual(injected);
    expect(stats.byOutcome['rate-limited']).toBeUndefined();
    expect(stats.maxArrivalsInWindow).toBeLessThanOrEqual(limits.requestsPerInterval);
  });
});
