import { describe, expect, it } from 'vitest';
import { toDecimalString } from '../../src/money/index.js';
import {
  checkRanges,
  parsePeriodId,
  prorationFactor,
  prorationParts,
  rangeContains,
  rangesOverlap,
  recordInForce,
  versionInForce,
} from '../../src/time/index.js';

const JAN = { fiscalYearStartMonth: 1 };
const JUL = { fiscalYearStartMonth: 7 };

describe('prorationFactor', () => {
  const q3 = parsePeriodId('2026-Q3', JAN); // 92 days, 3 months
  const parts = (from: string, to: string | null, id: string, by: 'days' | 'months', cal = JAN) =>
    prorationParts({ from, to }, parsePeriodId(id, cal), by);

  it.each([
    ['2026-01-01', null, '2026-Q3', 'days', 92, 92],
    ['2026-08-01', null, '2026-Q3', 'days', 61, 92],
    ['2026-08-01', null, '2026-Q3', 'months', 2, 3],
    ['2026-08-02', null, '2026-Q3', 'months', 1, 3],
    ['2026-07-01', '2026-08-30', '2026-Q3', 'months', 1, 3],
    ['2026-07-01', '2026-08-31', '2026-Q3', 'months', 2, 3],
    ['2026-10-01', null, '2026-Q3', 'days', 0, 92],
    ['2025-01-01', '2026-06-30', '2026-Q3', 'days', 0, 92],
    ['2028-02-15', null, '2028-02', 'days', 15, 29],
    ['2026-02-15', null, '2026-02', 'days', 14, 28],
    ['2028-01-01', '2028-06-30', '2028', 'days', 182, 366],
    ['2026-01-01', '2026-06-30', '2026', 'days', 181, 365],
  ] as const)('%s…%s over %s by %s covers %i of %i', (from, to, id, by, covered, total) => {
    expect(parts(from, to, id, by)).toEqual({ covered, total });
  });

  it('works on fiscal months of a July year', () => {
    // Hire on 1 Jan 2027 covers fiscal months 7–12 of FY2026: half the year.
    expect(parts('2027-01-01', null, '2026', 'months', JUL)).toEqual({ covered: 6, total: 12 });
    expect(parts('2026-07-01', '2026-07-10', '2026-01', 'months', JUL)).toEqual({ covered: 0, total: 1 });
    expect(parts('2026-07-01', '2026-07-10', '2026-01', 'days', JUL)).toEqual({ covered: 10, total: 31 });
  });

  it('prorationFactor is the Decimal ratio', () => {
    expect(
      toDecimalString(prorationFactor({ from: '2027-01-01', to: null }, parsePeriodId('2026', JUL), 'months')),
    ).toBe('0.5');
    expect(toDecimalString(prorationFactor({ from: '2026-10-01', to: null }, q3, 'days'))).toBe('0');
    expect(toDecimalString(prorationFactor({ from: '2026-01-01', to: null }, q3, 'days'))).toBe('1');
    expect(toDecimalString(prorationFactor({ from: '2026-08-01', to: null }, q3, 'months'), 10)).toBe('0.6666666667');
  });

  it('rejects a range that ends before it starts', () => {
    expect(() => prorationFactor({ from: '2026-08-01', to: '2026-07-01' }, parsePeriodId('2026', JAN), 'days')).toThrow(
      /ends \(2026-07-01\) before it starts/,
    );
  });
});

describe('effective-dated ranges', () => {
  it('rangeContains and rangesOverlap are inclusive and handle open ends', () => {
    expect(rangeContains({ from: '2026-01-01', to: '2026-06-30' }, '2026-06-30')).toBe(true);
    expect(rangeContains({ from: '2026-01-01', to: '2026-06-30' }, '2026-07-01')).toBe(false);
    expect(rangeContains({ from: '2026-01-01', to: null }, '2099-01-01')).toBe(true);
    expect(rangesOverlap({ from: '2026-01-01', to: '2026-06-30' }, { from: '2026-06-30', to: null })).toBe(true);
    expect(rangesOverlap({ from: '2026-01-01', to: '2026-06-30' }, { from: '2026-07-01', to: null })).toBe(false);
    expect(rangesOverlap({ from: '2026-07-01', to: null }, { from: '2020-01-01', to: null })).toBe(true);
  });

  it('versionInForce picks the latest version started on or before the date', () => {
    const versions = [
      { v: 'b', effectiveFrom: '2026-07-01' },
      { v: 'a', effectiveFrom: '2026-01-01' },
      { v: 'c', effectiveFrom: '2027-01-01' },
    ];
    expect(versionInForce(versions, '2025-12-31')).toBeUndefined();
    expect(versionInForce(versions, '2026-01-01')?.v).toBe('a');
    expect(versionInForce(versions, '2026-06-30')?.v).toBe('a');
    expect(versionInForce(versions, '2026-07-01')?.v).toBe('b');
    expect(versionInForce(versions, '2030-01-01')?.v).toBe('c');
  });

  it('recordInForce finds the record whose range holds the date and refuses overlaps', () => {
    const assignments = [
      { plan: 'p1', from: '2026-01-01', to: '2026-06-30' },
      { plan: 'p2', from: '2026-07-01', to: null },
    ];
    const rangeOf = (a: { from: string; to: string | null }) => a;
    expect(recordInForce(assignments, '2026-03-01', rangeOf)?.plan).toBe('p1');
    expect(recordInForce(assignments, '2026-07-01', rangeOf)?.plan).toBe('p2');
    expect(recordInForce(assignments, '2025-01-01', rangeOf)).toBeUndefined();
    expect(() =>
      recordInForce([...assignments, { plan: 'p3', from: '2026-06-01', to: '2026-07-31' }], '2026-06-15', rangeOf),
    ).toThrow(/overlapping ranges 2026-01-01…2026-06-30 and 2026-06-01…2026-07-31 both cover 2026-06-15/);
  });

  it('checkRanges reports overlaps, gaps and reversed ranges', () => {
    expect(
      checkRanges([
        { from: '2026-01-01', to: '2026-06-30' },
        { from: '2026-07-01', to: null },
      ]),
    ).toEqual([]);
    expect(
      checkRanges([
        { from: '2026-09-01', to: null },
        { from: '2026-01-01', to: '2026-06-30' },
        { from: '2026-06-15', to: '2026-07-31' },
        { from: '2027-05-01', to: '2027-04-01' },
      ]),
    ).toEqual([
      { kind: 'reversed', index: 3 },
      { kind: 'overlap', index: 2, previous: 1 },
      { kind: 'gap', index: 0, previous: 2, from: '2026-08-01', to: '2026-08-31' },
      { kind: 'overlap', index: 3, previous: 0 },
    ]);
  });
});
