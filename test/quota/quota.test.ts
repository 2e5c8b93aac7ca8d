import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec, sum, toDecimalString, type Decimal } from '../../src/money/index.js';
import { parsePeriodId, periodsOfYear } from '../../src/time/index.js';
import {
  allocateEven,
  allocateWeighted,
  blendWeights,
  bottomUp,
  buildQuotas,
  capacityCheck,
  proratedQuota,
  rampSchedule,
  rampShare,
  rampedPeriodQuota,
  seasonalize,
  tenureMonth,
} from '../../src/quota/index.js';

const JAN = { fiscalYearStartMonth: 1 };
const s = (d: Decimal) => toDecimalString(d);

describe('ramps', () => {
  it('worked example 6 (Prowi, "Ramp period"): 50,000 a month at 0/25/50/75/100 % → 0/12,500/25,000/37,500/50,000', () => {
    expect(rampSchedule('50000', ['0', '0.25', '0.5', '0.75', '1'], 0).map(s)).toEqual([
      '0',
      '12500',
      '25000',
      '37500',
      '50000',
    ]);
  });

  it.each([
    ['2026-03-15', '2026-03-01', 1],
    ['2026-03-15', '2026-04-30', 2],
    ['2026-11-01', '2027-02-01', 4],
    ['2026-03-15', '2026-02-28', 0],
  ] as const)('started %s, on %s in tenure month %i', (start, date, month) => {
    expect(tenureMonth(start, date)).toBe(month);
  });

  it('shares are 0 before the start and full after the schedule', () => {
    const schedule = ['0', '0.25', '0.5'];
    expect([0, 1, 2, 3, 4, 12].map((m) => s(rampShare(schedule, m)))).toEqual(['0', '0', '0.25', '0.5', '1', '1']);
    expect(() => rampShare(['-0.1'], 1)).toThrow(/month 1 must not be negative/);
  });

  it.each([
    // Started in August: Q3 months are tenure 0 (Jul), 1 (Aug), 2 (Sep) → 0 + 0 + 12,500.
    ['2026-08-10', '2026-Q3', '12500.00'],
    // Q4: tenure 3, 4, 5 → 25,000 + 37,500 + 50,000.
    ['2026-08-10', '2026-Q4', '112500.00'],
    ['2026-08-10', '2027-Q1', '150000.00'],
    ['2026-08-10', '2026-Q2', '0.00'],
    ['2026-08-10', '2026', '125000.00'],
  ] as const)('started %s: %s quota %s', (start, id, expected) => {
    expect(
      toDecimalString(rampedPeriodQuota('50000', ['0', '0.25', '0.5', '0.75', '1'], start, parsePeriodId(id, JAN)), 2),
    ).toBe(expected);
  });
});

describe('proration', () => {
  const q3 = parsePeriodId('2026-Q3', JAN);
  it.each([
    ['2026-08-01', null, 'months', '600000'],
    ['2026-08-01', null, 'days', '596739.13'], // 900,000 × 61 / 92
    ['2026-07-01', '2026-08-15', 'months', '300000'], // leaver mid-August: July only
    ['2026-07-01', '2026-08-15', 'days', '450000'], // 46 of 92 days
    ['2026-01-01', null, 'days', '900000'],
    ['2026-10-01', null, 'days', '0'],
  ] as const)('from %s to %s by %s → %s', (from, to, by, expected) => {
    expect(s(proratedQuota('900000', { from, to }, q3, by))).toBe(expected);
  });
});

describe('top-down allocation', () => {
  it('even: 36,000,000 over 10 sellers is 3,600,000 each; 100 over 3 keeps the total', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    expect(allocateEven('36000000', ids).map((a) => s(a.amount))).toEqual(Array(10).fill('3600000'));
    expect(allocateEven('100', ['a', 'b', 'c']).map((a) => s(a.amount))).toEqual(['33.34', '33.33', '33.33']);
  });

  it('weighted by history', () => {
    const r = allocateWeighted('1000000', [
      { id: 'a', weight: '600000' },
      { id: 'b', weight: '300000' },
      { id: 'c', weight: '100000' },
    ]);
    expect(r.map((a) => [a.id, s(a.amount)])).toEqual([
      ['a', '600000'],
      ['b', '300000'],
      ['c', '100000'],
    ]);
  });

  it('blended history and potential', () => {
    const w = blendWeights(
      [
        { id: 'a', history: '800', potential: '500' },
        { id: 'b', history: '200', potential: '500' },
      ],
      '0.5',
    );
    expect(w.map((x) => s(x.weight))).toEqual(['0.65', '0.35']);
    expect(allocateWeighted('1000', w).map((a) => s(a.amount))).toEqual(['650', '350']);
  });

  it('refuses bad input naming it', () => {
    expect(() => allocateWeighted('1', [{ id: 'a', weight: '-1' }])).toThrow(/weight of "a" must not be negative/);
    expect(() => allocateWeighted('1', [{ id: 'a', weight: '0' }])).toThrow(/must not all be zero/);
    expect(() => allocateEven('1', ['a', 'a'])).toThrow(/"a" appears twice/);
    expect(() => allocateEven('-1', ['a'])).toThrow(/must not be negative/);
    expect(() => blendWeights([], '1.5')).toThrow(/between 0 and 1/);
  });

  it('property: even and weighted allocations always add up to the target', () => {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 12n }).map((c) => dec(c).dividedBy(100));
    fc.assert(
      fc.property(amount, fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 12 }), (target, raw) => {
        const weights = raw.some((w) => w > 0) ? raw : [...raw.slice(1), 1];
        const ids = weights.map((_, i) => `s${i}`);
        const weighted = allocateWeighted(
          target,
          weights.map((w, i) => ({ id: ids[i] as string, weight: dec(w) })),
        );
        const even = allocateEven(target, ids);
        expect(s(sum(weighted.map((a) => a.amount)))).toBe(s(target));
        expect(s(sum(even.map((a) => a.amount)))).toBe(s(target));
        for (const a of [...weighted, ...even]) expect(a.amount.decimalPlaces()).toBeLessThanOrEqual(2);
      }),
      { numRuns: 150 },
    );
  });
});

describe('seasonality', () => {
  const quarters = periodsOfYear(2026, 'quarter', JAN);
  it('spreads an annual target by weights and keeps the total', () => {
    expect(seasonalize('3600000', quarters, 'even').map((p) => [p.periodId, s(p.amount)])).toEqual([
      ['2026-Q1', '900000'],
      ['2026-Q2', '900000'],
      ['2026-Q3', '900000'],
      ['2026-Q4', '900000'],
    ]);
    expect(seasonalize('1000000', quarters, ['20', '25', '20', '35']).map((p) => s(p.amount))).toEqual([
      '200000',
      '250000',
      '200000',
      '350000',
    ]);
    const months = seasonalize('1000000', periodsOfYear(2026, 'month', JAN), 'even');
    expect(s(sum(months.map((m) => m.amount)))).toBe('1000000');
    expect(months.map((m) => s(m.amount))).toEqual([...Array(4).fill('83333.34'), ...Array(8).fill('83333.33')]);
  });

  it('refuses a weight count that does not match the periods', () => {
    expect(() => seasonalize('1', quarters, ['1', '1'])).toThrow(/4 periods, 2 weights/);
  });

  it('property: seasonal parts add up to the annual target', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 12, maxLength: 12 }),
        (cents, w) => {
          const target = dec(cents).dividedBy(100);
          const parts = seasonalize(
            target,
            periodsOfYear(2026, 'month', JAN),
            w.map((x) => dec(x)),
          );
          expect(s(sum(parts.map((p) => p.amount)))).toBe(s(target));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('bottom-up', () => {
  it.each([
    ['additive', '1050000'],
    ['multiplicative', '1045000'],
  ] as const)('growth 10 %% and attrition 5 %% on 1,000,000, %s → %s', (method, expected) => {
    const r = bottomUp({ sellers: [{ id: 'a', base: '1000000' }], growth: '0.1', attrition: '0.05', method });
    expect(s(r.sellers[0]!.quota)).toBe(expected);
  });

  it('per-seller overrides and a total of the rounded quotas', () => {
    const r = bottomUp({
      sellers: [
        { id: 'a', base: '333.333' },
        { id: 'b', base: '1000', growth: '0.2', attrition: '0' },
      ],
      growth: '0',
      attrition: '0',
      method: 'multiplicative',
    });
    expect(r.sellers.map((x) => s(x.quota))).toEqual(['333.33', '1200']);
    expect(s(r.total)).toBe('1533.33');
    expect(() =>
      bottomUp({ sellers: [{ id: 'x', base: '1' }], growth: '0', attrition: '1.5', method: 'additive' }),
    ).toThrow(/attrition of "x"/);
  });
});

describe('capacity', () => {
  it('10 sellers at 3,600,000 cover a 36,000,000 target exactly but not with 10 % over-assignment', () => {
    const quotas = Array(10).fill('3600000');
    const exact = capacityCheck('36000000', quotas, '0');
    expect([exact.covered, s(exact.overAssignment), s(exact.shortfall)]).toEqual([true, '0', '0']);
    const over = capacityCheck('36000000', quotas, '0.1');
    expect([over.covered, s(over.required), s(over.shortfall)]).toEqual([false, '39600000', '3600000']);
    const more = capacityCheck('36000000', Array(11).fill('3600000'), '0.1');
    expect([more.covered, s(more.overAssignment), s(more.shortfall)]).toEqual([true, '0.1', '0']);
  });
});

describe('buildQuotas', () => {
  it('the reference scenario: 36,000,000 → 10 sellers → 900,000 a quarter each', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const quotas = buildQuotas({
      companyTarget: '36000000',
      sellers: ids,
      periods: periodsOfYear(2026, 'quarter', JAN),
      seasonality: 'even',
    });
    expect(quotas).toHaveLength(40);
    expect(new Set(quotas.map((q) => q.amount))).toEqual(new Set(['900000']));
    expect(quotas[0]).toEqual({ payeeId: 's0', periodId: '2026-Q1', amount: '900000' });
  });
});
