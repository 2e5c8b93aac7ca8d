import { describe, expect, it } from 'vitest';
import { dec } from '../../src/money/index.js';
import { plan, data, payees, deal, run, payee } from './helpers.js';

/** The six public worked examples of plan-semantics.md, with the sources' own figures. */

const eq = (a: string, b: string) => expect(dec(a).equals(dec(b)), `${a} = ${b}`).toBe(true);

describe('worked example 1 — reference scenario (team attainment = sum achieved / sum quota)', () => {
  const sellers = ['anna', 'bo', 'camilla', 's4', 's5', 's6', 's7', 's8', 's9', 's10'];
  const achieved: Record<string, string> = {
    anna: '1080000',
    bo: '810000',
    camilla: '630000',
    s4: '800000',
    s5: '800000',
    s6: '800000',
    s7: '800000',
    s8: '800000',
    s9: '800000',
    s10: '780000',
  };
  const p = plan([
    {
      id: 'revenue',
      name: 'Revenue',
      period: 'quarter',
      rates: {
        application: 'marginal',
        input: 'period',
        axis: 'attainment',
        basis: 'credit',
        tiers: [
          { from: '0', to: '1', rate: '0.05' },
          { from: '1', to: null, rate: '0.05', multiplier: '1.5' },
        ],
      },
    },
  ]);
  const d = data({
    payees: sellers.map((id) => ({ id, name: id[0]!.toUpperCase() + id.slice(1) })),
    // 36,000,000 DKK annual target over 10 sellers: 3,600,000 each, spread evenly to 900,000 a quarter
    quotas: sellers.map((id) => ({ payeeId: id, periodId: '2026', amount: '3600000' })),
    deals: sellers.map((id) => deal(id, achieved[id]!, '2026-08-15')),
  });
  const r = run(p, d, '2026-Q3');
  it('Anna 120 %, Bo 90 %, Camilla 70 % of a 900,000 quarter', () => {
    expect(payee(r, 'anna').quota).toBe('900000');
    expect([payee(r, 'anna').attainment, payee(r, 'bo').attainment, payee(r, 'camilla').attainment]).toEqual([
      '1.2',
      '0.9',
      '0.7',
    ]);
  });
  it('team 8,100,000 / 9,000,000 = 90 %', () => {
    expect(r.team).toMatchObject({ quota: '9000000', credited: '8100000', attainment: '0.9' });
  });
  it('each payee earnings equal the sum of their lines', () => {
    for (const pr of r.payees) eq(pr.earnings, pr.lines.reduce((t, l) => t.plus(dec(l.amount)), dec(0)).toFixed());
    eq(payee(r, 'anna').earnings, '58500'); // 900,000 × 5 % + 180,000 × 5 % × 1.5
  });
});

describe('worked example 2 — marginal tiers on attainment (Prowi)', () => {
  it('quota 100,000, sales 140,000 → 2,500 + 5,000 + 6,000 = 13,500', () => {
    const p = plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          rates: {
            application: 'marginal',
            input: 'period',
            axis: 'attainment',
            basis: 'credit',
            tiers: [
              { from: '0', to: '0.5', rate: '0.05' },
              { from: '0.5', to: '1', rate: '0.10' },
              { from: '1', to: '1.5', rate: '0.15' },
              { from: '1.5', to: null, rate: '0.20' },
            ],
          },
        },
      ],
      {},
      { currency: 'USD' },
    );
    const d = data({
      payees: payees('a'),
      quotas: [{ payeeId: 'a', periodId: '2026-Q1', amount: '100000' }],
      deals: [deal('a', '140000', '2026-02-01', { currency: 'USD' })],
    });
    const a = payee(run(p, d, '2026-Q1'), 'a');
    expect(a.earnings).toBe('13500.00');
    expect(a.lines[0]!.tiers!.map((t) => [t.creditInTier, t.payout])).toEqual([
      ['50000', '2500'],
      ['50000', '5000'],
      ['40000', '6000'],
    ]);
  });
});

describe('worked example 3 — cumulative tiers crossing inside a period', () => {
  const tiers = [
    { from: '0', to: '0.8', rate: '0.01' },
    { from: '0.8', to: '1', rate: '0.02' },
    { from: '1', to: '1.5', rate: '0.03' },
    { from: '1.5', to: null, rate: '0.04' },
  ];
  const quotas = [{ payeeId: 'a', periodId: '2026-Q1', amount: '100000' }];
  it('invoice 1 of 60,000 pays 600; invoice 2 of 30,000 pays 20,000 × 1 % + 10,000 × 2 % = 400; total 1,000 = recomputing at once', () => {
    const p = plan([
      {
        id: 'rev',
        name: 'Revenue',
        rates: { application: 'marginal', input: 'period', axis: 'attainment', basis: 'credit', tiers },
      },
    ]);
    const r = run(
      p,
      data({
        payees: payees('a'),
        quotas,
        deals: [deal('a', '60000', '2026-01-10', { id: 'inv1' }), deal('a', '30000', '2026-02-10', { id: 'inv2' })],
      }),
      '2026-Q1',
    );
    expect(payee(r, 'a').lines.map((l) => l.amount)).toEqual(['600.00', '400.00']);
    expect(payee(r, 'a').lines[1]!.tiers!.map((t) => [t.creditInTier, t.rate, t.payout])).toEqual([
      ['20000', '0.01', '200'],
      ['10000', '0.02', '200'],
    ]);
    const once = run(p, data({ payees: payees('a'), quotas, deals: [deal('a', '90000', '2026-02-10')] }), '2026-Q1');
    expect(payee(once, 'a').earnings).toBe('1000.00');
    expect(payee(r, 'a').earnings).toBe(payee(once, 'a').earnings);
  });
  it('the same with one deal released invoice by invoice (eligibility = invoiced)', () => {
    const p = plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          rates: { application: 'marginal', input: 'period', axis: 'attainment', basis: 'credit', tiers },
        },
      ],
      {
        crediting: { eligibility: 'invoiced' },
      },
    );
    const d = data({
      payees: payees('a'),
      quotas,
      deals: [
        deal('a', '90000', '2026-01-05', {
          invoiced: [
            { date: '2026-01-10', amount: '60000' },
            { date: '2026-02-10', amount: '30000' },
          ],
        }),
      ],
    });
    const a = payee(run(p, d, '2026-Q1'), 'a');
    expect(a.lines.map((l) => [l.date, l.amount])).toEqual([
      ['2026-01-10', '600.00'],
      ['2026-02-10', '400.00'],
    ]);
  });
});

describe('worked example 4 — accelerator on a target incentive (RevOps Masters)', () => {
  const ti = { targetIncentive: { amount: '100000', per: 'quarter' as const } };
  const quotas = [{ payeeId: 'a', periodId: '2026-Q1', amount: '500000' }];
  it('quota 500,000, TI 100,000, 1.5× above quota: 650,000 (130 %) → 145,000', () => {
    const p = plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          rates: {
            application: 'marginal',
            axis: 'attainment',
            basis: 'targetIncentive',
            tiers: [
              { from: '0', to: '1', rate: '1' },
              { from: '1', to: null, rate: '1', multiplier: '1.5' },
            ],
          },
        },
      ],
      ti,
    );
    const a = payee(
      run(p, data({ payees: payees('a'), quotas, deals: [deal('a', '650000', '2026-03-01')] }), '2026-Q1'),
      'a',
    );
    expect(a.attainment).toBe('1.3');
    expect(a.earnings).toBe('145000.00');
  });
  it('with a 0.5× decelerator for 0–50 %, 40 % attainment pays 20,000 instead of 40,000', () => {
    const decel = plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          rates: {
            axis: 'attainment',
            basis: 'targetIncentive',
            tiers: [
              { from: '0', to: '0.5', rate: '1', multiplier: '0.5' },
              { from: '0.5', to: '1', rate: '1' },
              { from: '1', to: null, rate: '1', multiplier: '1.5' },
            ],
          },
        },
      ],
      ti,
    );
    const flat = plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          rates: { axis: 'attainment', basis: 'targetIncentive', tiers: [{ from: '0', to: null, rate: '1' }] },
        },
      ],
      ti,
    );
    const d = data({ payees: payees('a'), quotas, deals: [deal('a', '200000', '2026-03-01')] });
    expect(payee(run(decel, d, '2026-Q1'), 'a').earnings).toBe('20000.00');
    expect(payee(run(flat, d, '2026-Q1'), 'a').earnings).toBe('40000.00');
  });
});

describe('worked example 5 — recoverable vs non-recoverable draw (Xactly)', () => {
  const component = {
    id: 'rev',
    name: 'Revenue',
    period: 'month' as const,
    rates: { axis: 'amount' as const, tiers: [{ from: '0', to: null, rate: '0.1' }] },
  };
  const d = data({ payees: payees('a'), deals: [deal('a', '5000', '2026-08-10'), deal('a', '30000', '2026-09-10')] });
  it('recoverable: August earns 500 → paid 1,500 (balance −1,000); September earns 3,000 → pays 2,000', () => {
    const p = plan([component], {
      draw: { kind: 'recoverable', amount: '1500', fromPeriod: '2026-08', untilPeriod: '2026-09' },
    });
    const aug = payee(run(p, d, '2026-08'), 'a');
    const sep = payee(run(p, d, '2026-09'), 'a');
    expect(aug.earnings).toBe('1500.00');
    expect(aug.lines.find((l) => l.kind === 'draw')!.amount).toBe('1000.00');
    expect(sep.lines.find((l) => l.kind === 'draw-recovery')!.amount).toBe('-1000.00');
    expect(sep.earnings).toBe('2000.00');
  });
  it('non-recoverable: September pays 3,000', () => {
    const p = plan([component], {
      draw: { kind: 'nonRecoverable', amount: '1500', fromPeriod: '2026-08', untilPeriod: '2026-09' },
    });
    expect(payee(run(p, d, '2026-08'), 'a').earnings).toBe('1500.00');
    expect(payee(run(p, d, '2026-09'), 'a').earnings).toBe('3000.00');
  });
});

describe('worked example 6 — ramped quota (Prowi)', () => {
  it('full 50,000 a month, months 1–5 at 0/25/50/75/100 % → 0/12,500/25,000/37,500/50,000', () => {
    const p = plan([
      {
        id: 'rev',
        name: 'Revenue',
        period: 'month',
        quota: { source: 'plan', amount: '50000', per: 'month', ramp: ['0', '0.25', '0.5', '0.75', '1'] },
        rates: { axis: 'attainment', tiers: [{ from: '0', to: null, rate: '0.1' }] },
      },
    ]);
    const d = data({ payees: [{ id: 'new', name: 'New hire', startDate: '2026-03-01' }] });
    const quotas = ['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08'].map(
      (m) => payee(run(p, d, m), 'new').quota,
    );
    expect(quotas.map((q) => dec(q).toFixed())).toEqual(['0', '12500', '25000', '37500', '50000', '50000']);
  });
});
