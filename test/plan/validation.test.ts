import { describe, expect, it } from 'vitest';
import { checkDataSet, parsePlan, planSchema, type PlanInput } from '../../src/plan/index.js';
import { dataSetSchema } from '../../src/data/index.js';

const base = (): PlanInput => ({
  id: 'p',
  name: 'Plan',
  currency: 'DKK',
  versions: [
    {
      id: 'v1',
      effectiveFrom: '2026-01-01',
      components: [
        {
          id: 'rev',
          name: 'Revenue',
          rates: {
            tiers: [
              { from: '0', to: '1', rate: '0.05' },
              { from: '1', to: null, rate: '0.1' },
            ],
          },
        },
      ],
    },
  ],
});

function errorsOf(
  mutate: (
    p: PlanInput & {
      versions: { components: { rates: { tiers: { from: string; to: string | null; rate: string }[] } }[] }[];
    },
  ) => void,
) {
  const p = structuredClone(base()) as Parameters<typeof mutate>[0];
  mutate(p);
  const r = parsePlan(p);
  if (r.ok) return [];
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('plan schema: defaults are explicit', () => {
  it('fills every switch with its documented default', () => {
    const plan = planSchema.parse(base());
    const c = plan.versions[0]!.components[0]!;
    expect(plan.rounding).toEqual({ scope: 'line', decimals: 2, mode: 'half-even' });
    expect(plan.calendar).toEqual({ fiscalYearStartMonth: 1 });
    expect(plan.versions[0]!.crediting).toEqual({
      creditDate: 'closeDate',
      eligibility: 'booked',
      splits: 'shares',
      overlay: 'credit',
      rollUp: 'none',
      filter: {},
    });
    expect(c.rates).toMatchObject({
      application: 'marginal',
      input: 'period',
      axis: 'attainment',
      countBy: 'deals',
      basis: 'credit',
      beyondLast: 'flat',
    });
    expect(c.period).toBe('quarter');
    expect(c.rates.tiers[0]!.multiplier).toBe('1');
    expect(c.quota).toEqual({ source: 'data', per: 'year', proration: 'none' });
  });
});

describe('invalid plans are rejected with messages naming the field', () => {
  it.each([
    [
      'overlapping tiers',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions[0]!.components[0]!.rates.tiers[1]!.from = '0.9';
      },
      'versions.0.components.0.rates.tiers.1.from: tiers overlap: tier 0 ends at 1 but tier 1 starts at 0.9',
    ],
    [
      'gapped tiers',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions[0]!.components[0]!.rates.tiers[1]!.from = '1.2';
      },
      'versions.0.components.0.rates.tiers.1.from: tiers leave a gap: tier 0 ends at 1 but tier 1 starts at 1.2',
    ],
    [
      'first tier not at 0',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions[0]!.components[0]!.rates.tiers[0]!.from = '0.5';
      },
      'versions.0.components.0.rates.tiers.0.from: the first tier must start at 0',
    ],
    [
      'closed last tier',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions[0]!.components[0]!.rates.tiers[1]!.to = '2';
      },
      'versions.0.components.0.rates.tiers.1.to: the last tier must be open-ended',
    ],
    [
      'negative rate',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions[0]!.components[0]!.rates.tiers[1]!.rate = '-0.1';
      },
      'versions.0.components.0.rates.tiers.1.rate: must not be negative',
    ],
    [
      'negative multiplier (a decelerator may be below 1, never below 0)',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        (p.versions[0]!.components[0]!.rates.tiers[0] as Record<string, unknown>).multiplier = '-0.5';
      },
      'versions.0.components.0.rates.tiers.0.multiplier: must not be negative',
    ],
    [
      'unknown currency',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.currency = 'XYZ';
      },
      'currency: is not a known ISO 4217 currency',
    ],
    [
      'unknown period id',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        (p.versions[0] as Record<string, unknown>).draw = {
          kind: 'recoverable',
          amount: '1000',
          recoveryStartPeriod: '2026-13',
        };
      },
      'versions.0.draw.recoveryStartPeriod: must be a period id',
    ],
    [
      'versions out of order',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions.push({ ...structuredClone(p.versions[0]!), id: 'v0', effectiveFrom: '2025-01-01' } as never);
      },
      'versions.1.effectiveFrom: versions must be in order of effectiveFrom',
    ],
    [
      'weights not totalling 100 %',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        p.versions[0]!.components.push({ ...structuredClone(p.versions[0]!.components[0]!), id: 'b' });
        (p.versions[0]!.components[0] as Record<string, unknown>).weight = '0.5';
        (p.versions[0]!.components[1] as Record<string, unknown>).weight = '0.3';
      },
      'versions.0.components: component weights must total 1 (100 %), they total 0.8',
    ],
    [
      'gate on an unknown component',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        (p.versions[0]!.components[0] as Record<string, unknown>).gates = [
          { on: 'component', componentId: 'nope', minAttainment: '1' },
        ];
      },
      'versions.0.components.0.gates.0.componentId: no component "nope" in this version',
    ],
    [
      'bad rounding mode',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        (p as Record<string, unknown>).rounding = { mode: 'bankers' };
      },
      'rounding.mode:',
    ],
    [
      'pay curve without target incentive',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        (p.versions[0]!.components[0]!.rates as Record<string, unknown>).basis = 'targetIncentive';
      },
      'versions.0.components.0.rates.basis: basis "targetIncentive" needs the version\'s targetIncentive',
    ],
    [
      'SPIF ending before it starts',
      (p: Parameters<Parameters<typeof errorsOf>[0]>[0]) => {
        (p.versions[0] as Record<string, unknown>).spifs = [
          { id: 's', name: 'S', from: '2026-03-31', to: '2026-03-01', payout: { kind: 'perDeal', amount: '1' } },
        ];
      },
      'versions.0.spifs.0.to: ends (2026-03-01) before it starts (2026-03-31)',
    ],
  ])('%s', (_name, mutate, expected) => {
    const errors = errorsOf(mutate);
    expect(
      errors.some((e) => e.startsWith(expected)),
      errors.join('\n'),
    ).toBe(true);
  });
});

describe('a data set against the plans', () => {
  const plans = [planSchema.parse(base())];
  const data = dataSetSchema.parse({
    payees: [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
    ],
    quotas: [
      { payeeId: 'zed', periodId: '2026-Q1', amount: '1' },
      { payeeId: 'a', periodId: '2026-Q1', amount: '1', componentId: 'nope' },
    ],
    deals: [
      {
        id: 'd1',
        ownerId: 'a',
        amount: '100',
        currency: 'DKK',
        status: 'won',
        closeDate: '2026-01-10',
        splits: [
          { payeeId: 'a', share: '0.6' },
          { payeeId: 'b', share: '0.3' },
        ],
      },
      {
        id: 'd2',
        ownerId: 'a',
        amount: '100',
        currency: 'DKK',
        status: 'won',
        closeDate: '2026-01-10',
        splits: [
          { payeeId: 'a', share: '0.5' },
          { payeeId: 'ghost', share: '0.5' },
        ],
      },
      { id: 'd3', ownerId: null, amount: '100', currency: 'EUR', status: 'won', closeDate: '2026-01-10' },
    ],
    assignments: [{ payeeId: 'a', planId: 'other', from: '2026-01-01' }],
  });
  const check = checkDataSet(data, plans);
  it('errors name the field: splits not totalling 100 %, unknown payee, plan and component ids', () => {
    expect(check.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'deals.0.splits: revenue split shares must total 1 (100 %), they total 0.9',
      'deals.1.splits.1.payeeId: unknown payee id "ghost"',
      'quotas.0.payeeId: unknown payee id "zed"',
      'quotas.1.componentId: no plan has a component "nope"',
      'assignments.0.planId: unknown plan id "other"',
    ]);
  });
  it('warnings for what is merely suspicious', () => {
    expect(check.warnings.map((w) => w.code).sort()).toEqual([
      'deal-without-owner',
      'missing-fx-rate',
      'payee-without-plan',
    ]);
  });
});

describe('plan files are strict', () => {
  it('rejects a misspelt switch instead of silently ignoring it', () => {
    const errors = errorsOf((p) => {
      (p.versions[0]!.components[0]!.rates.tiers[1] as Record<string, unknown>).multiplyer = '1.5';
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^versions\.0\.components\.0\.rates\.tiers\.1: .*multiplyer/);
  });
});
