import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  daysBetween,
  fiscalYearOf,
  fiscalMonthOf,
  monthsOf,
  parsePeriodId,
  periodContaining,
  periodContainsDate,
  periodsOfYear,
  fromDayNumber,
  toDayNumber,
  type FiscalCalendar,
} from '../../src/time/index.js';

const JAN: FiscalCalendar = { fiscalYearStartMonth: 1 };
const FEB: FiscalCalendar = { fiscalYearStartMonth: 2 };
const JUL: FiscalCalendar = { fiscalYearStartMonth: 7 };

describe('parsePeriodId', () => {
  it.each([
    ['2026', JAN, 'year', 2026, '2026-01-01', '2026-12-31'],
    ['2026-Q3', JAN, 'quarter', 2026, '2026-07-01', '2026-09-30'],
    ['2026-07', JAN, 'month', 2026, '2026-07-01', '2026-07-31'],
    ['2028-02', JAN, 'month', 2028, '2028-02-01', '2028-02-29'],
    ['2026-02', JAN, 'month', 2026, '2026-02-01', '2026-02-28'],
    ['2026', FEB, 'year', 2026, '2026-02-01', '2027-01-31'],
    ['2026-Q1', FEB, 'quarter', 2026, '2026-02-01', '2026-04-30'],
    ['2026-Q4', FEB, 'quarter', 2026, '2026-11-01', '2027-01-31'],
    ['2026-01', FEB, 'month', 2026, '2026-02-01', '2026-02-28'],
    ['2027-01', FEB, 'month', 2027, '2027-02-01', '2027-02-28'],
    ['2027-12', FEB, 'month', 2027, '2028-01-01', '2028-01-31'],
    ['2026', JUL, 'year', 2026, '2026-07-01', '2027-06-30'],
    ['2026-Q1', JUL, 'quarter', 2026, '2026-07-01', '2026-09-30'],
    ['2026-Q3', JUL, 'quarter', 2026, '2027-01-01', '2027-03-31'],
    ['2026-01', JUL, 'month', 2026, '2026-07-01', '2026-07-31'],
    ['2026-07', JUL, 'month', 2026, '2027-01-01', '2027-01-31'],
    ['2027-08', JUL, 'month', 2027, '2028-02-01', '2028-02-29'],
    ['2026-12', { fiscalYearStartMonth: 12 }, 'month', 2026, '2027-11-01', '2027-11-30'],
  ] as const)('%s with FY start %o → %s %i %s…%s', (id, cal, kind, fy, start, end) => {
    expect(parsePeriodId(id, cal)).toEqual({ id, kind, fiscalYear: fy, start, end });
  });

  it.each(['2026-Q5', '2026-Q0', '2026-13', '2026-00', '26', '2026-7', '2026-q3', '', ' 2026', '2026-H1'])(
    'rejects %j naming it',
    (id) => {
      expect(() => parsePeriodId(id, JAN)).toThrow(`[Attain] unknown period id ${JSON.stringify(id)}`);
    },
  );

  it.each([0, 13, 1.5, Number.NaN])('rejects fiscal start month %s', (m) => {
    expect(() => parsePeriodId('2026', { fiscalYearStartMonth: m })).toThrow(/fiscalYearStartMonth/);
  });
});

describe('fiscal years and containing periods', () => {
  it.each([
    ['2026-01-01', JAN, 2026, 1],
    ['2026-12-31', JAN, 2026, 12],
    ['2026-01-31', FEB, 2025, 12],
    ['2026-02-01', FEB, 2026, 1],
    ['2026-06-30', JUL, 2025, 12],
    ['2026-07-01', JUL, 2026, 1],
    ['2027-03-15', JUL, 2026, 9],
  ] as const)('%s with %o is FY %i month %i', (date, cal, fy, fm) => {
    expect(fiscalYearOf(date, cal)).toBe(fy);
    expect(fiscalMonthOf(date, cal)).toBe(fm);
  });

  it.each([
    ['2026-08-15', 'quarter', JAN, '2026-Q3'],
    ['2026-08-15', 'month', JAN, '2026-08'],
    ['2026-08-15', 'year', JAN, '2026'],
    ['2027-03-15', 'quarter', JUL, '2026-Q3'],
    ['2027-03-15', 'month', JUL, '2026-09'],
    ['2027-01-31', 'quarter', FEB, '2026-Q4'],
    ['2028-02-29', 'month', FEB, '2028-01'],
  ] as const)('%s in %s with %o is %s', (date, kind, cal, id) => {
    const p = periodContaining(date, kind, cal);
    expect(p.id).toBe(id);
    expect(p).toEqual(parsePeriodId(id, cal));
    expect(periodContainsDate(p, date)).toBe(true);
  });

  it('periodsOfYear tiles the fiscal year without gaps or overlaps', () => {
    for (const cal of [JAN, FEB, JUL]) {
      const year = parsePeriodId('2027', cal);
      for (const kind of ['quarter', 'month'] as const) {
        const ps = periodsOfYear(2027, kind, cal);
        expect(ps).toHaveLength(kind === 'quarter' ? 4 : 12);
        expect(ps[0]?.start).toBe(year.start);
        expect(ps.at(-1)?.end).toBe(year.end);
        for (let i = 1; i < ps.length; i++) expect(addDays(ps[i - 1]!.end, 1)).toBe(ps[i]!.start);
      }
    }
    expect(periodsOfYear(2026, 'year', JUL).map((p) => p.id)).toEqual(['2026']);
    expect(periodsOfYear(2026, 'quarter', JUL).map((p) => p.id)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
  });

  it('shares frozen, memoised periods', () => {
    const a = periodContaining('2026-08-15', 'quarter', JUL);
    expect(periodContaining('2026-08-15', 'quarter', JUL)).toBe(a);
    expect(periodContaining('2026-08-15', 'quarter', JAN)).not.toEqual(a);
    expect(Object.isFrozen(parsePeriodId('2026-Q3', JAN))).toBe(true);
    expect(() => periodContaining('2026-02-30', 'quarter', JAN)).toThrow(/not a calendar date/);
  });

  it('monthsOf lists a quarter’s months with fiscal ids', () => {
    expect(monthsOf(parsePeriodId('2026-Q3', JUL), JUL).map((m) => [m.id, m.start])).toEqual([
      ['2026-07', '2027-01-01'],
      ['2026-08', '2027-02-01'],
      ['2026-09', '2027-03-01'],
    ]);
  });

  it('periodContainsDate is inclusive at both ends and checks the date', () => {
    const q = parsePeriodId('2026-Q3', JAN);
    expect([q.start, q.end, '2026-06-30', '2026-10-01'].map((d) => periodContainsDate(q, d))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(() => periodContainsDate(q, '2026-09-31')).toThrow(/not a calendar date/);
  });
});

describe('date arithmetic', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-05-31', 1, '2026-06-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-08-31', -6, '2026-02-28'],
    ['2026-07-01', 0, '2026-07-01'],
    ['2000-02-29', 1200, '2100-02-28'],
  ] as const)('addMonths(%s, %i) = %s', (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
  });

  it.each([
    ['2026-01-01', '2026-01-31', 30],
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
    ['2028-02-28', '2028-03-01', 2],
    ['2100-02-28', '2100-03-01', 1],
    ['2000-02-28', '2000-03-01', 2],
    ['2026-07-01', '2026-06-30', -1],
  ] as const)('daysBetween(%s, %s) = %i', (a, b, n) => {
    expect(daysBetween(a, b)).toBe(n);
    expect(addDays(a, n)).toBe(b);
  });

  it('rejects impossible dates', () => {
    for (const bad of ['2026-02-29', '2100-02-29', '2026-13-01', '2026-1-01', '20260101']) {
      expect(() => addDays(bad, 1)).toThrow(`[Attain] not a calendar date written YYYY-MM-DD: ${JSON.stringify(bad)}`);
    }
    expect(() => addDays('2026-01-01', 0.5)).toThrow(/whole number/);
  });

  it('day numbers round-trip and agree with Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (n) => {
        const iso = fromDayNumber(n);
        expect(toDayNumber(iso)).toBe(n);
        expect(new Date(n * 86_400_000).toISOString().slice(0, 10)).toBe(iso);
      }),
      { numRuns: 300 },
    );
  });
});
