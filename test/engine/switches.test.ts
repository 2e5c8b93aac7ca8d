import { describe, expect, it } from 'vitest';
import { dec } from '../../src/money/index.js';
import type { Plan } from '../../src/plan/index.js';
import type { DataSet } from '../../src/data/index.js';
import { plan, data, payees, deal, run, payee } from './helpers.js';

/** One test (or a small table) per switch of plan-semantics.md; every plan states the switch it tests. */

type Comp = Parameters<typeof plan>[0][number];
const Q = (id = 'a', periodId = '2026-Q1', amount = '100000') => ({ payeeId: id, periodId, amount });
const earn = (p: Plan, d: DataSet, period = '2026-Q1', id = 'a') => payee(run(p, d, period), id);
const amounts = (p: Plan, d: DataSet, period = '2026-Q1', id = 'a', kind?: string) =>
  earn(p, d, period, id)
    .lines.filter((l) => !kind || l.kind === kind)
    .map((l) => l.amount);
const rev = (rates: Comp['rates'], extra: Partial<Comp> = {}): Comp => ({
  id: 'rev',
  name: 'Revenue',
  rates,
  ...extra,
});
const fourTiers = [
  { from: '0', to: '0.5', rate: '0.05' },
  { from: '0.5', to: '1', rate: '0.10' },
  { from: '1', to: '1.5', rate: '0.15' },
  { from: '1.5', to: null, rate: '0.20' },
];

describe('tier application', () => {
  const d = data({ payees: payees('a'), quotas: [Q()], deals: [deal('a', '140000', '2026-02-01')] });
  it.each([
    ['marginal', { application: 'marginal' as const, axis: 'attainment' as const, tiers: fourTiers }, '13500.00'],
    [
      'retroactive (whole amount at the tier reached)',
      { application: 'retroactive' as const, axis: 'attainment' as const, tiers: fourTiers },
      '21000.00',
    ],
    [
      'mixed: the ≥ 100 % tier retroactive inside a marginal table',
      {
        application: 'marginal' as const,
        axis: 'attainment' as const,
        tiers: fourTiers.map((t, i) => (i === 2 ? { ...t, application: 'retroactive' as const } : t)),
      },
      '21000.00',
    ],
  ])('%s', (_name, rates, expected) => {
    expect(earn(plan([rev(rates)]), d).earnings).toBe(expected);
  });
  it('mixed: marginal above a retroactive tier continues from the retroactive value', () => {
    const tiers = [
      { from: '0', to: '1', rate: '0.05', application: 'retroactive' as const },
      { from: '1', to: null, rate: '0.10' },
    ];
    // 100,000 × 5 % (whole amount) + 40,000 × 10 %
    expect(earn(plan([rev({ application: 'marginal', axis: 'attainment', tiers })]), d).earnings).toBe('9000.00');
  });
  it('retroactive true-up lands on the deal that crosses the edge', () => {
    const d2 = data({
      payees: payees('a'),
      quotas: [Q()],
      deals: [deal('a', '90000', '2026-01-05'), deal('a', '20000', '2026-01-20')],
    });
    const lines = amounts(plan([rev({ application: 'retroactive', axis: 'attainment', tiers: fourTiers })]), d2);
    expect(lines).toEqual(['9000.00', '7500.00']); // 90,000 × 10 %; then 110,000 × 15 % − 9,000
  });
  it('interpolated amount table (pay curve read linearly between points)', () => {
    const p = plan(
      [
        rev({
          application: 'interpolated',
          axis: 'attainment',
          basis: 'targetIncentive',
          curve: [
            { at: '0', value: '0' },
            { at: '1', value: '1' },
            { at: '1.5', value: '2' },
          ],
        }),
      ],
      { targetIncentive: { amount: '40000', per: 'quarter' } },
    );
    const d2 = data({ payees: payees('a'), quotas: [Q()], deals: [deal('a', '125000', '2026-02-01')] });
    expect(earn(p, d2).earnings).toBe('60000.00'); // 1.25 → 1.5 × 40,000
    const flat = data({ payees: payees('a'), quotas: [Q()], deals: [deal('a', '200000', '2026-02-01')] });
    expect(earn(p, flat).earnings).toBe('80000.00'); // beyondLast = flat: 2 × 40,000
  });
});

describe('tier input', () => {
  const amountTiers = [
    { from: '0', to: '50000', rate: '0.01' },
    { from: '50000', to: null, rate: '0.02' },
  ];
  const d = data({
    payees: payees('a'),
    quotas: [Q('a', '2026', '400000')],
    deals: [deal('a', '60000', '2026-02-01'), deal('a', '60000', '2026-05-01')],
  });
  it('per transaction: each deal on its own tiers', () => {
    const p = plan([rev({ input: 'transaction', axis: 'amount', tiers: amountTiers })]);
    expect(earn(p, d, '2026').lines.map((l) => l.amount)).toEqual(['700.00', '700.00']);
  });
  it('period-to-date: the quarter restarts the tiers', () => {
    const p = plan([rev({ input: 'period', axis: 'amount', tiers: amountTiers }, { period: 'quarter' })]);
    expect(earn(p, d, '2026').lines.map((l) => l.amount)).toEqual(['700.00', '700.00']);
  });
  it('year-to-date: the second quarter continues on top of the first', () => {
    const p = plan([rev({ input: 'year', axis: 'amount', tiers: amountTiers }, { period: 'quarter' })]);
    expect(earn(p, d, '2026').lines.map((l) => l.amount)).toEqual(['700.00', '1200.00']);
  });
});

describe('tier axis', () => {
  it('amount', () => {
    const p = plan([
      rev({
        axis: 'amount',
        tiers: [
          { from: '0', to: '100000', rate: '0.05' },
          { from: '100000', to: null, rate: '0.1' },
        ],
      }),
    ]);
    expect(earn(p, data({ payees: payees('a'), deals: [deal('a', '150000', '2026-01-10')] })).earnings).toBe(
      '10000.00',
    );
  });
  it('attainment % of quota', () => {
    const p = plan([
      rev({
        axis: 'attainment',
        tiers: [
          { from: '0', to: '1', rate: '0.05' },
          { from: '1', to: null, rate: '0.1' },
        ],
      }),
    ]);
    expect(
      earn(
        p,
        data({
          payees: payees('a'),
          quotas: [Q('a', '2026-Q1', '200000')],
          deals: [deal('a', '250000', '2026-01-10')],
        }),
      ).earnings,
    ).toBe('15000.00');
  });
  it('count of deals (fixed amount per deal, marginal by count)', () => {
    const p = plan([
      rev({
        axis: 'count',
        basis: 'fixed',
        tiers: [
          { from: '0', to: '2', rate: '100' },
          { from: '2', to: null, rate: '250' },
        ],
      }),
    ]);
    const d = data({
      payees: payees('a'),
      deals: [deal('a', '10', '2026-01-10'), deal('a', '10', '2026-01-11'), deal('a', '10', '2026-01-12')],
    });
    expect(amounts(p, d)).toEqual(['100.00', '100.00', '250.00']);
  });
  it('count of units, paying a rate on credit by the tier the units fall in', () => {
    const p = plan([
      rev({
        axis: 'count',
        countBy: 'units',
        basis: 'credit',
        tiers: [
          { from: '0', to: '10', rate: '0.01' },
          { from: '10', to: null, rate: '0.02' },
        ],
      }),
    ]);
    const d = data({
      payees: payees('a'),
      deals: [deal('a', '8000', '2026-01-10', { units: '8' }), deal('a', '4000', '2026-01-11', { units: '4' })],
    });
    expect(amounts(p, d)).toEqual(['80.00', '60.00']); // 2 units × 1,000 × 1 % + 2 units × 1,000 × 2 %
  });
});

describe('boundary: lower bound inclusive, upper exclusive', () => {
  it('exactly 100 % takes the ≥ 100 % tier', () => {
    const p = plan([
      rev({
        application: 'retroactive',
        axis: 'attainment',
        tiers: [
          { from: '0', to: '1', rate: '0.02' },
          { from: '1', to: null, rate: '0.03' },
        ],
      }),
    ]);
    const r = earn(p, data({ payees: payees('a'), quotas: [Q()], deals: [deal('a', '100000', '2026-01-10')] }));
    expect(r.earnings).toBe('3000.00');
    expect(r.lines[0]!.tiers!.at(-1)!.label).toBe('≥ 100 %');
  });
});

describe('rate direction', () => {
  it('falling rates are honoured (never assumed rising)', () => {
    const p = plan([
      rev({
        axis: 'amount',
        tiers: [
          { from: '0', to: '50000', rate: '0.10' },
          { from: '50000', to: null, rate: '0.05' },
        ],
      }),
    ]);
    expect(earn(p, data({ payees: payees('a'), deals: [deal('a', '80000', '2026-01-10')] })).earnings).toBe('6500.00');
  });
});

describe('payout basis', () => {
  const d = data({ payees: payees('a'), quotas: [Q()], deals: [deal('a', '80000', '2026-01-10')] });
  it.each([
    [
      '% of credited amount',
      { axis: 'attainment' as const, basis: 'credit' as const, tiers: [{ from: '0', to: null, rate: '0.05' }] },
      '4000.00',
    ],
    [
      '% of target incentive (pay curve)',
      { axis: 'attainment' as const, basis: 'targetIncentive' as const, tiers: [{ from: '0', to: null, rate: '1' }] },
      '24000.00',
    ],
    [
      'fixed amount on reaching a tier',
      {
        axis: 'attainment' as const,
        basis: 'fixed' as const,
        tiers: [
          { from: '0', to: '0.75', rate: '0' },
          { from: '0.75', to: null, rate: '1000' },
        ],
      },
      '1000.00',
    ],
  ])('%s', (_n, rates, expected) => {
    expect(earn(plan([rev(rates)], { targetIncentive: { amount: '120000', per: 'year' } }), d).earnings).toBe(expected);
  });
});

describe('gates', () => {
  const tiers = [{ from: '0', to: null, rate: '0.1' }];
  const d = data({
    payees: payees('a'),
    quotas: [Q()],
    deals: [deal('a', '40000', '2026-01-10'), deal('a', '20000', '2026-02-10')],
  });
  it('minimum attainment before the component pays; held amounts are released on the deal that opens it', () => {
    const p = plan([
      rev({ axis: 'attainment', tiers }, { gates: [{ on: 'self', minAttainment: '0.5', whenMet: 'release' }] }),
    ]);
    expect(amounts(p, d)).toEqual(['0.00', '6000.00']);
  });
  it('forfeit: what was earned below the gate is lost', () => {
    const p = plan([
      rev({ axis: 'attainment', tiers }, { gates: [{ on: 'self', minAttainment: '0.5', whenMet: 'forfeit' }] }),
    ]);
    expect(amounts(p, d)).toEqual(['0.00', '2000.00']);
  });
  it('a gate on another component; its credit releases the held amount', () => {
    const p = plan([
      rev({ axis: 'attainment', tiers }, { gates: [{ on: 'component', componentId: 'logos', minAttainment: '1' }] }),
      {
        id: 'logos',
        name: 'New logos',
        filter: { dealTypes: ['new'] },
        rates: { axis: 'count', basis: 'fixed', tiers: [{ from: '0', to: null, rate: '0' }] },
      },
    ]);
    const d2 = data({
      payees: payees('a'),
      quotas: [Q(), { payeeId: 'a', periodId: '2026-Q1', amount: '10000', componentId: 'logos' }],
      deals: [
        deal('a', '40000', '2026-01-10', { dealType: 'renewal' }),
        deal('a', '10000', '2026-02-10', { dealType: 'new' }),
      ],
    });
    const a = earn(p, d2);
    expect(a.lines.map((l) => [l.kind, l.componentId, l.amount])).toEqual([
      ['commission', 'rev', '0.00'],
      ['commission', 'rev', '0.00'], // the new-logo deal reaches revenue before it reaches logos
      ['commission', 'logos', '0.00'],
      ['adjustment', 'rev', '5000.00'], // logos reaches 100 %: the held 4,000 + 1,000 are released
    ]);
    expect(a.lines[3]!.trace[0]!.rule).toBe('gates.whenMet=release');
    expect(a.lines[3]!.dealId).toBe(a.lines[2]!.dealId);
  });
  it('a gate on the annual quota before a tier pays (the accelerator tier)', () => {
    const p = plan([
      rev(
        {
          axis: 'attainment',
          tiers: [
            { from: '0', to: '1', rate: '0.05' },
            { from: '1', to: null, rate: '0.05', multiplier: '2', gate: { on: 'annual', minAttainment: '0.5' } },
          ],
        },
        { period: 'quarter' },
      ),
    ]);
    const d2 = data({
      payees: payees('a'),
      quotas: [Q('a', '2026', '400000')],
      deals: [deal('a', '150000', '2026-01-10')],
    });
    // quarter quota 100,000: 100,000 × 5 % paid; the 50,000 above 100 % is held (annual 37.5 % < 50 %)
    expect(earn(p, d2).earnings).toBe('5000.00');
    const d3 = data({
      payees: payees('a'),
      quotas: [Q('a', '2026', '400000')],
      deals: [deal('a', '210000', '2026-01-10')],
    });
    expect(earn(p, d3).earnings).toBe('16000.00'); // annual 52.5 %: 5,000 + 110,000 × 10 %
  });
});

describe('caps (cap the remainder, not the whole line)', () => {
  const tiers = [{ from: '0', to: null, rate: '1' }];
  it('per period: the crossing deal is partly paid', () => {
    const p = plan([rev({ axis: 'amount', tiers }, { caps: [{ kind: 'perPeriod', amount: '5000' }] })]);
    const d = data({
      payees: payees('a'),
      deals: [
        deal('a', '3000', '2026-01-10'),
        deal('a', '3000', '2026-01-11'),
        deal('a', '3000', '2026-01-12'),
        deal('a', '3000', '2026-04-12'),
      ],
    });
    expect(amounts(p, d, '2026')).toEqual(['3000.00', '2000.00', '0.00', '3000.00']);
  });
  it('per transaction', () => {
    const p = plan([
      rev(
        { axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] },
        { caps: [{ kind: 'perTransaction', amount: '500' }] },
      ),
    ]);
    expect(
      amounts(
        p,
        data({ payees: payees('a'), deals: [deal('a', '3000', '2026-01-10'), deal('a', '8000', '2026-01-11')] }),
      ),
    ).toEqual(['300.00', '500.00']);
  });
  it('lifetime per customer with partial fill, across plan years', () => {
    const p = plan([
      rev(
        { axis: 'amount', input: 'transaction', tiers: [{ from: '0', to: null, rate: '0.1' }] },
        { caps: [{ kind: 'perCustomer', amount: '1000' }] },
      ),
    ]);
    const d = data({
      payees: payees('a'),
      deals: [
        deal('a', '8000', '2025-06-10', { customerId: 'acme' }),
        deal('a', '5000', '2026-01-11', { customerId: 'acme' }),
        deal('a', '5000', '2026-01-12', { customerId: 'other' }),
      ],
    });
    expect(amounts(p, d, '2025')).toEqual(['800.00']);
    expect(amounts(p, d, '2026')).toEqual(['200.00', '500.00']);
  });
  it('at a % of quota: credit above 150 % earns nothing', () => {
    const p = plan([
      rev(
        { axis: 'attainment', tiers: [{ from: '0', to: null, rate: '0.1' }] },
        { caps: [{ kind: 'attainment', maxAttainment: '1.5' }] },
      ),
    ]);
    const d = data({
      payees: payees('a'),
      quotas: [Q()],
      deals: [deal('a', '120000', '2026-01-10'), deal('a', '60000', '2026-01-11')],
    });
    expect(amounts(p, d)).toEqual(['12000.00', '3000.00']);
  });
});

describe('weighted components of one target incentive', () => {
  it('60 % revenue, 40 % new logos of 100,000 a year', () => {
    const p = plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          weight: '0.6',
          rates: { axis: 'attainment', basis: 'targetIncentive', tiers: [{ from: '0', to: null, rate: '1' }] },
        },
        {
          id: 'logos',
          name: 'New logos',
          weight: '0.4',
          filter: { dealTypes: ['new'] },
          rates: { axis: 'attainment', basis: 'targetIncentive', tiers: [{ from: '0', to: null, rate: '1' }] },
        },
      ],
      { targetIncentive: { amount: '100000', per: 'year' } },
    );
    const d = data({
      payees: payees('a'),
      quotas: [
        Q('a', '2026-Q1', '100000'),
        { payeeId: 'a', periodId: '2026-Q1', amount: '20000', componentId: 'logos' },
      ],
      deals: [
        deal('a', '80000', '2026-01-10', { dealType: 'renewal' }),
        deal('a', '10000', '2026-01-11', { dealType: 'new' }),
      ],
    });
    const a = earn(p, d);
    // revenue 90 % × 15,000 + logos 50 % × 10,000 (quarter shares of 60,000 and 40,000)
    expect(a.components.map((c) => [c.componentId, c.attainment, c.earnings])).toEqual([
      ['rev', '0.9', '13500.00'],
      ['logos', '0.5', '5000.00'],
    ]);
    expect(a.earnings).toBe('18500.00');
  });
});

describe('bonuses', () => {
  const base = rev({ axis: 'attainment', tiers: [{ from: '0', to: null, rate: '0' }] });
  const d = data({
    payees: payees('a'),
    quotas: [Q()],
    deals: [deal('a', '90000', '2026-01-10'), deal('a', '35000', '2026-02-10')],
  });
  it('milestone: a fixed amount once attainment reaches 100 %', () => {
    const p = plan([base], {
      bonuses: [
        { id: 'club', name: 'Quota club', componentId: 'rev', kind: 'milestone', minAttainment: '1', amount: '5000' },
      ],
    });
    expect(amounts(p, d, '2026-Q1', 'a', 'bonus')).toEqual(['5000.00']);
  });
  it('stepped table: the highest step reached pays, topped up as steps are crossed', () => {
    const p = plan([base], {
      bonuses: [
        {
          id: 'steps',
          name: 'Steps',
          componentId: 'rev',
          kind: 'stepped',
          steps: [
            { minAttainment: '0.8', amount: '1000' },
            { minAttainment: '1.2', amount: '4000' },
          ],
        },
      ],
    });
    expect(amounts(p, d, '2026-Q1', 'a', 'bonus')).toEqual(['1000.00', '3000.00']);
  });
});

describe('SPIFs', () => {
  const base = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0' }] });
  const spifDeals = [
    deal('a', '1000', '2026-03-01', {
      dealType: 'new',
      units: '3',
      lineItems: [
        { product: 'widget', quantity: '3', amount: '600' },
        { product: 'gadget', quantity: '1', amount: '400' },
      ],
    }),
    deal('a', '2000', '2026-03-05', { dealType: 'renewal', units: '1' }),
    deal('a', '3000', '2026-04-05', { dealType: 'new', units: '2' }), // outside the window
    deal('a', '4000', '2026-03-20', { dealType: 'new', units: '1' }),
  ];
  const d = data({ payees: payees('a'), deals: spifDeals });
  const spif = (payout: Record<string, unknown>, filter: Record<string, unknown> = { dealTypes: ['new'] }) =>
    plan([base], {
      spifs: [
        { id: 'march', name: 'March push', from: '2026-03-01', to: '2026-03-31', filter, payout: payout as never },
      ],
    });
  it.each([
    [
      'per deal, time-boxed, filtered by deal type',
      { kind: 'perDeal', amount: '250' },
      undefined,
      ['250.00', '250.00'],
    ],
    ['per unit', { kind: 'perUnit', amount: '10' }, undefined, ['30.00', '10.00']],
    ['% of revenue', { kind: 'percentOfRevenue', rate: '0.02' }, undefined, ['20.00', '80.00']],
    ['% of revenue of one product', { kind: 'percentOfRevenue', rate: '0.1' }, { products: ['widget'] }, ['60.00']],
    [
      'tiered by count',
      {
        kind: 'tieredByCount',
        tiers: [
          { from: '0', to: '1', amount: '100' },
          { from: '1', to: null, amount: '300' },
        ],
      },
      undefined,
      ['100.00', '300.00'],
    ],
  ])('%s', (_n, payout, filter, expected) => {
    expect(amounts(spif(payout, filter ?? { dealTypes: ['new'] }), d, '2026', 'a', 'spif')).toEqual(expected);
  });
  it('team pool shared by qualifying credit, keeping the pool whole', () => {
    const p = plan([base], {
      spifs: [
        {
          id: 'pool',
          name: 'Team pool',
          from: '2026-03-01',
          to: '2026-03-31',
          payout: { kind: 'teamPool', amount: '1000', teamId: 't' },
        },
      ],
    });
    const d2 = data({
      payees: ['a', 'b', 'c'].map((id) => ({ id, name: id, teamId: 't' })),
      deals: [deal('a', '100', '2026-03-02'), deal('b', '100', '2026-03-03'), deal('c', '100', '2026-03-04')],
    });
    const r = run(p, d2, '2026-Q1');
    const pool = ['a', 'b', 'c'].map((id) => payee(r, id).lines.find((l) => l.kind === 'spif')!.amount);
    expect(pool).toEqual(['333.34', '333.33', '333.33']);
  });
});

describe('draws', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] }, { period: 'month' });
  const d = data({
    payees: [{ id: 'a', name: 'a', startDate: '2026-01-01' }],
    deals: [deal('a', '0', '2026-01-10'), deal('a', '40000', '2026-02-10'), deal('a', '40000', '2026-03-10')],
  });
  const kinds = (p: Plan, m: string) =>
    earn(p, d, m)
      .lines.filter((l) => l.kind.startsWith('draw'))
      .map((l) => `${l.kind} ${l.amount}`);
  it('recovery start period: nothing is recovered before it', () => {
    const p = plan([comp], {
      draw: { kind: 'recoverable', amount: '1000', untilPeriod: '2026-03', recoveryStartPeriod: '2026-03' },
    });
    expect(kinds(p, '2026-01')).toEqual(['draw 1000.00']);
    expect(kinds(p, '2026-02')).toEqual([]);
    expect(kinds(p, '2026-03')).toEqual(['draw-recovery -1000.00']);
  });
  it('recovery capped at a % of the period earnings', () => {
    const p = plan([comp], {
      draw: { kind: 'recoverable', amount: '1000', untilPeriod: '2026-03', recoveryCap: '0.1' },
    });
    expect(kinds(p, '2026-02')).toEqual(['draw-recovery -400.00']);
    expect(kinds(p, '2026-03')).toEqual(['draw-recovery -400.00']);
  });
  it('ramped draw amounts by month since start', () => {
    const p = plan([comp], { draw: { kind: 'nonRecoverable', amount: '1000', ramp: ['3000', '2000'] } });
    expect(kinds(p, '2026-01')).toEqual(['draw 3000.00']);
    expect(kinds(p, '2026-04')).toEqual(['draw 1000.00']);
  });
});

describe('clawbacks', () => {
  const comp = rev(
    {
      axis: 'amount',
      tiers: [
        { from: '0', to: '10000', rate: '0.1' },
        { from: '10000', to: null, rate: '0.2' },
      ],
    },
    { period: 'year' },
  );
  const dealsWith = (cancelled: string) => [
    deal('a', '10000', '2026-01-10', { id: 'big', cancelledDate: cancelled }),
    deal('a', '10000', '2026-02-10', { id: 'later' }),
  ];
  it('% of what was paid, at the original rate (later deals keep their tier)', () => {
    const p = plan([comp], { clawback: { percent: '0.5' } });
    const r = earn(p, data({ payees: payees('a'), deals: dealsWith('2026-03-15') }), '2026-Q1');
    expect(r.lines.map((l) => `${l.kind} ${l.dealId} ${l.amount}`)).toEqual([
      'commission big 1000.00',
      'commission later 2000.00',
      'clawback big -500.00',
    ]);
  });
  it.each([
    ['2026-02-09', '-1000.00'], // 0 months since close → 100 %
    ['2026-04-10', '-500.00'], // 3 months → 50 %
    ['2026-08-10', '-250.00'], // 7 months → 25 %
    ['2027-02-10', null], // 13 months → 0 %
  ])('schedule 100/50/25/0 by months since close: cancelled %s → %s', (cancelled, expected) => {
    const p = plan([comp], {
      clawback: {
        schedule: [
          { monthsSinceCloseBelow: 3, percent: '1' },
          { monthsSinceCloseBelow: 6, percent: '0.5' },
          { monthsSinceCloseBelow: 12, percent: '0.25' },
        ],
      },
    });
    const d = data({ payees: payees('a'), deals: dealsWith(cancelled) });
    const year = cancelled.slice(0, 4);
    const claw = earn(p, d, year).lines.find((l) => l.kind === 'clawback');
    expect(claw?.amount ?? null).toBe(expected);
  });
  it('is not applied before the as-of date', () => {
    const p = plan([comp], { clawback: { percent: '1' } });
    const r = run(p, data({ payees: payees('a'), deals: dealsWith('2026-03-15') }), '2026-Q1', '2026-03-01');
    expect(payee(r, 'a').lines.some((l) => l.kind === 'clawback')).toBe(false);
  });
});

describe('crediting: splits, overlay, double credit', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '1' }] });
  const splits = [
    { payeeId: 'a', share: '0.3333', type: 'revenue' as const },
    { payeeId: 'b', share: '0.3333', type: 'revenue' as const },
    { payeeId: 'c', share: '0.3334', type: 'revenue' as const },
    { payeeId: 'x', share: '0.5', type: 'overlay' as const },
  ];
  const d = data({ payees: payees('a', 'b', 'c', 'x'), deals: [deal('a', '100.00', '2026-01-10', { splits })] });
  it('revenue splits keep the total exactly (allocate); overlay adds on top', () => {
    const r = run(plan([comp]), d, '2026-Q1');
    const credited = ['a', 'b', 'c', 'x'].map((id) => payee(r, id).credited);
    expect(credited).toEqual(['33.33', '33.33', '33.34', '50']);
    expect(r.team.credited).toBe('150'); // the overlay is extra credit
  });
  it('overlay ignored when the plan says so', () => {
    const r = run(plan([comp], { crediting: { overlay: 'ignore' } }), d, '2026-Q1');
    expect(payee(r, 'x').credited).toBe('0');
  });
  it('double credit: every split payee gets the whole deal', () => {
    const r = run(plan([comp], { crediting: { splits: 'fullToEach' } }), d, '2026-Q1');
    expect(['a', 'b', 'c'].map((id) => payee(r, id).credited)).toEqual(['100', '100', '100']);
  });
});

describe('crediting: filters and credit date', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '1' }] });
  const d = data({
    payees: payees('a'),
    deals: [
      deal('a', '1', '2026-01-10', { pipeline: 'sales', stage: 'won', dealType: 'new', attributes: { region: 'dk' } }),
      deal('a', '10', '2026-01-10', {
        pipeline: 'partner',
        stage: 'won',
        dealType: 'new',
        attributes: { region: 'dk' },
      }),
      deal('a', '100', '2026-01-10', {
        pipeline: 'sales',
        stage: 'won',
        dealType: 'renewal',
        attributes: { region: 'dk' },
      }),
      deal('a', '1000', '2026-01-10', {
        pipeline: 'sales',
        stage: 'won',
        dealType: 'new',
        attributes: { region: 'se' },
      }),
      deal('a', '10000', '2026-04-10', {
        pipeline: 'sales',
        stage: 'won',
        dealType: 'new',
        attributes: { region: 'dk' },
      }),
      deal('a', '100000', '2026-01-10', {
        status: 'open',
        pipeline: 'sales',
        dealType: 'new',
        attributes: { region: 'dk' },
      }),
    ],
  });
  it.each([
    ['pipeline', { pipelines: ['sales'] }, '1101'],
    ['deal type', { dealTypes: ['new'] }, '1011'],
    ['attributes', { attributes: { region: ['dk'] } }, '111'],
    ['stage', { stages: ['won'] }, '1111'],
  ])('%s; only won deals closed in the period count (credit date = close date)', (_n, filter, expected) => {
    expect(earn(plan([comp], { crediting: { filter } }), d).credited).toBe(expected);
  });
});

describe('eligibility', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] }, { period: 'month' });
  const d = data({
    payees: payees('a'),
    deals: [
      deal('a', '1000', '2026-01-10', {
        invoiced: [{ date: '2026-02-01', amount: '1000' }],
        cashReceived: [
          { date: '2026-02-20', amount: '400' },
          { date: '2026-03-20', amount: '700' },
        ],
      }),
    ],
  });
  it.each([
    ['booked', [['2026-01', '100.00']]],
    ['invoiced', [['2026-02', '100.00']]],
    [
      'cashReceived',
      [
        ['2026-02', '40.00'],
        ['2026-03', '60.00'],
      ],
    ], // partial release, capped at the deal amount
  ] as const)('%s', (eligibility, expected) => {
    const p = plan([comp], { crediting: { eligibility } });
    const got = ['2026-01', '2026-02', '2026-03'].flatMap((m) => earn(p, d, m).lines.map((l) => [m, l.amount]));
    expect(got).toEqual(expected);
  });
});

describe('roll-ups and overrides', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] });
  const people = [
    { id: 'm', name: 'Manager' },
    { id: 'a', name: 'A', managerId: 'm' },
    { id: 'b', name: 'B', managerId: 'm' },
  ];
  const d = data({
    payees: people,
    quotas: [Q('a'), Q('b'), Q('m', '2026-Q1', '200000')],
    deals: [deal('a', '60000', '2026-01-10'), deal('b', '80000', '2026-02-10')],
  });
  it('manager credited with the team (roll-up); team totals never count it twice', () => {
    const r = run(plan([comp], { crediting: { rollUp: 'direct' } }), d, '2026-Q1');
    expect(payee(r, 'm').credited).toBe('140000');
    expect(payee(r, 'm').attainment).toBe('0.7');
    expect(r.team).toMatchObject({ quota: '200000', credited: '140000', attainment: '0.7' });
  });
  it('override: % of team revenue above a threshold', () => {
    const p = plan([comp], {
      overrides: [{ id: 'ovr', name: 'Team override', basis: 'teamRevenue', rate: '0.01', aboveAmount: '100000' }],
    });
    expect(amounts(p, d, '2026-Q1', 'm', 'override')).toEqual(['400.00']);
  });
  it('override: % of team earnings, once the team reaches an attainment', () => {
    const p = plan([comp], {
      overrides: [
        { id: 'ovr', name: 'Earnings override', basis: 'teamEarnings', rate: '0.1', minTeamAttainment: '0.5' },
      ],
    });
    expect(amounts(p, d, '2026-Q1', 'm', 'override')).toEqual(['1400.00']); // team 70 % ≥ 50 %: 10 % of 6,000 + 8,000
  });
});

describe('quota changes', () => {
  const comp = (quota: Record<string, unknown>, period: 'month' | 'quarter' = 'month') =>
    rev({ axis: 'attainment', tiers: [{ from: '0', to: null, rate: '0.1' }] }, { period, quota: quota as never });
  it('proration by days for a mid-month start', () => {
    const p = plan([comp({ source: 'plan', amount: '31000', per: 'month', proration: 'days' })]);
    const d = data({ payees: [{ id: 'a', name: 'a', startDate: '2026-01-22' }] });
    expect(earn(p, d, '2026-01').quota).toBe('10000');
  });
  it('proration by months for a leaver', () => {
    const p = plan([comp({ source: 'plan', amount: '120000', per: 'year', proration: 'months' }, 'quarter')]);
    const d = data({ payees: [{ id: 'a', name: 'a', endDate: '2026-05-31' }] });
    expect(earn(p, d, '2026-Q2').quota).toBe('20000');
  });
  it('seasonality weights spread an annual quota', () => {
    const p = plan([comp({ source: 'data', seasonality: ['20', '25', '20', '35'] }, 'quarter')]);
    const d = data({ payees: payees('a'), quotas: [Q('a', '2026', '1000000')] });
    expect(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'].map((q) => earn(p, d, q).quota)).toEqual([
      '200000',
      '250000',
      '200000',
      '350000',
    ]);
  });
  it('explicit per-period quotas from the data win', () => {
    const p = plan([comp({ source: 'data' }, 'quarter')]);
    const d = data({ payees: payees('a'), quotas: [Q('a', '2026', '1000000'), Q('a', '2026-Q2', '400000')] });
    expect(earn(p, d, '2026-Q2').quota).toBe('400000');
  });
  it('account moves: a plan assignment change from a date puts later credit on the new plan', () => {
    const p1 = { ...plan([rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] })]), id: 'p1' };
    const p2 = { ...plan([rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.2' }] })]), id: 'p2' };
    const d = data({
      payees: payees('a'),
      assignments: [
        { payeeId: 'a', planId: 'p1', from: '2026-01-01', to: '2026-03-31' },
        { payeeId: 'a', planId: 'p2', from: '2026-04-01' },
      ],
      deals: [deal('a', '1000', '2026-02-01'), deal('a', '1000', '2026-05-01')],
    });
    expect(payee(run([p1, p2], d, '2026'), 'a').lines.map((l) => l.amount)).toEqual(['100.00', '200.00']);
  });
});

describe('settlement: earned-to-date minus paid-to-date', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] }, { period: 'month' });
  it('a restated paid month posts a delta on the next statement; the payment is not rewritten', () => {
    const p = plan([comp]);
    const deals = [deal('a', '10000', '2026-01-10', { id: 'x' }), deal('a', '5000', '2026-02-10', { id: 'y' })];
    const payments = [{ payeeId: 'a', periodId: '2026-01', amount: '1000' }];
    const before = earn(p, data({ payees: payees('a'), deals, payments }), '2026-02');
    expect([before.earnings, before.earnedToDate, before.paidToDate, before.payable]).toEqual([
      '500.00',
      '1500.00',
      '1000.00',
      '500.00',
    ]);
    const restated = data({ payees: payees('a'), deals: [{ ...deals[0]!, amount: '12000' }, deals[1]!], payments });
    const after = earn(p, restated, '2026-02');
    expect([after.earnings, after.paidToDate, after.payable, after.priorPeriodsDelta]).toEqual([
      '500.00',
      '1000.00',
      '700.00',
      '200.00',
    ]);
  });
});

describe('rounding', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.005' }] });
  const d = data({
    payees: payees('a'),
    deals: [deal('a', '1', '2026-01-10'), deal('a', '1', '2026-01-11'), deal('a', '1', '2026-01-12')],
  });
  it.each([
    ['per line, half-even', { scope: 'line', decimals: 2, mode: 'half-even' }, ['0.00', '0.00', '0.00'], '0.00'],
    ['per line, half-up', { scope: 'line', decimals: 2, mode: 'half-up' }, ['0.01', '0.01', '0.01'], '0.03'],
    [
      'per statement',
      { scope: 'statement', decimals: 2, mode: 'half-even' },
      ['0.005', '0.005', '0.005', '0.005'],
      '0.02',
    ],
  ] as const)('%s', (_n, rounding, lines, earnings) => {
    const r = earn(plan([comp], {}, { rounding }), d);
    expect(r.lines.map((l) => l.amount)).toEqual(lines);
    expect(r.earnings).toBe(earnings);
  });
});

describe('currency', () => {
  const comp = rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '1' }] });
  it('deals in other currencies convert at the rate in force on the credit date', () => {
    const d = data({
      payees: payees('a'),
      fxRates: [
        { from: 'EUR', to: 'DKK', date: '2026-01-01', rate: '7.45' },
        { from: 'EUR', to: 'DKK', date: '2026-02-01', rate: '7.46' },
      ],
      deals: [
        deal('a', '100', '2026-01-15', { currency: 'EUR' }),
        deal('a', '100', '2026-02-15', { currency: 'EUR' }),
        deal('a', '100', '2026-02-15', { currency: 'SEK' }),
      ],
    });
    const r = run(plan([comp]), d, '2026-Q1');
    expect(payee(r, 'a').credited).toBe('1491');
    expect(r.warnings.map((w) => w.code)).toContain('missing-fx-rate');
  });
});

describe('data-quality warnings are returned, never dropped', () => {
  it('deal without owner, owner not a payee, won deal without close date, missing quota', () => {
    const p = plan([rev({ axis: 'attainment', tiers: [{ from: '0', to: null, rate: '0.1' }] })]);
    const d = data({
      payees: payees('a'),
      deals: [
        deal(null, '1', '2026-01-10'),
        deal('ghost', '1', '2026-01-10'),
        deal('a', '1', '2026-01-10', { closeDate: null }),
        deal('a', '5', '2026-01-10'),
      ],
    });
    const codes = new Set(run(p, d, '2026-Q1').warnings.map((w) => w.code));
    expect([...codes].sort()).toEqual([
      'deal-without-owner',
      'missing-quota',
      'owner-not-a-payee',
      'won-deal-without-close-date',
    ]);
  });
});

describe('traces name the switches that decided each number', () => {
  it('deal → crediting rule → tier split → cap → rounding', () => {
    const p = plan([rev({ axis: 'attainment', tiers: fourTiers }, { caps: [{ kind: 'perPeriod', amount: '10000' }] })]);
    const d = data({
      payees: payees('a', 'b'),
      quotas: [Q()],
      deals: [deal('a', '140000', '2026-02-01', { splits: [{ payeeId: 'a', share: '1', type: 'revenue' }] })],
    });
    const line = earn(p, d).lines[0]!;
    expect(line.trace.map((t) => t.step)).toEqual(['credit', 'tier', 'cap', 'rounding']);
    expect(line.trace.map((t) => t.rule)).toEqual([
      'crediting.splits=shares',
      'rates.application=marginal; rates.input=period; rates.axis=attainment; rates.basis=credit',
      'caps.perPeriod',
      'rounding.scope=line; rounding.decimals=2; rounding.mode=half-even',
    ]);
    expect(dec(line.amount).equals(10000)).toBe(true);
  });
});

describe('fiscal calendar', () => {
  it('a July fiscal year: 2026-Q1 is July–September 2026, 2026-07 is January 2027', () => {
    const p = plan(
      [rev({ axis: 'amount', tiers: [{ from: '0', to: null, rate: '0.1' }] })],
      {},
      { calendar: { fiscalYearStartMonth: 7 } },
    );
    const d = data({
      payees: payees('a'),
      deals: [deal('a', '1000', '2026-08-10'), deal('a', '2000', '2027-01-10'), deal('a', '4000', '2026-06-30')],
    });
    expect(earn(p, d, '2026-Q1').credited).toBe('1000');
    expect(earn(p, d, '2026-07').earnings).toBe('200.00');
    expect(earn(p, d, '2026').credited).toBe('3000');
    expect(earn(p, d, '2025').credited).toBe('4000');
  });
});

describe('credit notes (negative credit) walk the tiers back down', () => {
  it('140,000 then −40,000 pays what 100,000 pays at once', () => {
    const p = plan([rev({ axis: 'attainment', tiers: fourTiers })]);
    const r = earn(
      p,
      data({
        payees: payees('a'),
        quotas: [Q()],
        deals: [deal('a', '140000', '2026-01-10'), deal('a', '-40000', '2026-02-10')],
      }),
    );
    expect(r.lines.map((l) => l.amount)).toEqual(['13500.00', '-6000.00']);
    expect(r.lines[1]!.tiers!.map((t) => [t.label, t.creditInTier, t.payout])).toEqual([
      ['100 % – 150 %', '-40000', '-6000'],
    ]);
    expect(r.earnings).toBe(
      earn(p, data({ payees: payees('a'), quotas: [Q()], deals: [deal('a', '100000', '2026-01-10')] })).earnings,
    );
  });
});
