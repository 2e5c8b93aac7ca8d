import { formatDate, daysInMonth, parseDate, addDays } from './dates.js';

/**
 * A fiscal calendar. The fiscal year starts on the 1st of `fiscalYearStartMonth` (1 = January … 12 =
 * December) and is NAMED BY THE CALENDAR YEAR IT STARTS IN: with a July start, fiscal year 2026 runs
 * 2026-07-01 … 2027-06-30. Fiscal months and quarters are numbered from the start of the fiscal year, so
 * with a July start "2026-01" is July 2026, "2026-07" is January 2027 and "2026-Q3" is January–March 2027.
 */
export interface FiscalCalendar {
  fiscalYearStartMonth: number;
}

export type PeriodKind = 'year' | 'quarter' | 'month';

/** A fiscal period. `start` and `end` are ISO dates, both inclusive. */
export interface Period {
  id: string;
  kind: PeriodKind;
  fiscalYear: number;
  start: string;
  end: string;
}

export const CALENDAR_YEAR: FiscalCalendar = { fiscalYearStartMonth: 1 };

const PERIOD_ID = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;

function checkCalendar(cal: FiscalCalendar): number {
  const m = cal.fiscalYearStartMonth;
  if (!Number.isInteger(m) || m < 1 || m > 12) {
    throw new Error(`[Attain] fiscalYearStartMonth must be a whole number 1..12, got ${String(m)}`);
  }
  return m;
}

/** Calendar year and month of fiscal month `fiscalMonth` (1..12) of `fiscalYear`. */
function calendarMonthOf(fiscalYear: number, fiscalMonth: number, startMonth: number): { year: number; month: number } {
  const index = fiscalYear * 12 + (startMonth - 1) + (fiscalMonth - 1);
  const year = Math.floor(index / 12);
  return { year, month: index - year * 12 + 1 };
}

/** The period spanning fiscal months `first`..`last` (1-based, inclusive) of `fiscalYear`. */
function spanOfFiscalMonths(
  fiscalYear: number,
  first: number,
  last: number,
  startMonth: number,
): { start: string; end: string } {
  const a = calendarMonthOf(fiscalYear, first, startMonth);
  const b = calendarMonthOf(fiscalYear, last, startMonth);
  return { start: formatDate(a.year, a.month, 1), end: formatDate(b.year, b.month, daysInMonth(b.year, b.month)) };
}

function yearId(fy: number): string {
  return String(fy).padStart(4, '0');
}

function makePeriod(fiscalYear: number, kind: PeriodKind, n: number, startMonth: number): Period {
  if (kind === 'year')
    return { id: yearId(fiscalYear), kind, fiscalYear, ...spanOfFiscalMonths(fiscalYear, 1, 12, startMonth) };
  if (kind === 'quarter') {
    return {
      id: `${yearId(fiscalYear)}-Q${n}`,
      kind,
      fiscalYear,
      ...spanOfFiscalMonths(fiscalYear, 3 * n - 2, 3 * n, startMonth),
    };
  }
  return {
    id: `${yearId(fiscalYear)}-${String(n).padStart(2, '0')}`,
    kind,
    fiscalYear,
    ...spanOfFiscalMonths(fiscalYear, n, n, startMonth),
  };
}

/**
 * Engines ask for the same few hundred periods millions of times (once per credit), so results are memoised.
 * Periods are frozen because they are shared; the caches are bounded so a long-running service cannot grow them.
 */
const MEMO_LIMIT = 50_000;
const byId = new Map<string, Period>();
const byDate = new Map<string, Map<string, Period>>();

function remember(memo: Map<string, Period>, key: string, p: Period): Period {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const frozen = Object.freeze(p);
  memo.set(key, frozen);
  return frozen;
}

/** '2026' (fiscal year), '2026-Q3' (fiscal quarter), '2026-07' (fiscal month 7). Throws naming the bad id. */
export function parsePeriodId(id: string, cal: FiscalCalendar): Period {
  const startMonth = checkCalendar(cal);
  const key = `${startMonth}|${id}`;
  return byId.get(key) ?? remember(byId, key, parseUncached(id, startMonth));
}

function parseUncached(id: string, startMonth: number): Period {
  const m = PERIOD_ID.exec(id);
  if (!m) {
    throw new Error(
      `[Attain] unknown period id ${JSON.stringify(id)}: write a fiscal year "2026", a quarter "2026-Q3" or a month "2026-07"`,
    );
  }
  const fiscalYear = Number(m[1]);
  if (m[2] !== undefined) return makePeriod(fiscalYear, 'quarter', Number(m[2]), startMonth);
  if (m[3] !== undefined) return makePeriod(fiscalYear, 'month', Number(m[3]), startMonth);
  return makePeriod(fiscalYear, 'year', 0, startMonth);
}

/** The fiscal year (named by the calendar year it starts in) that `date` falls in. */
export function fiscalYearOf(date: string, cal: FiscalCalendar): number {
  const startMonth = checkCalendar(cal);
  const { year, month } = parseDate(date);
  return month >= startMonth ? year : year - 1;
}

/** Fiscal month number 1..12 of `date`. */
export function fiscalMonthOf(date: string, cal: FiscalCalendar): number {
  const startMonth = checkCalendar(cal);
  const { month } = parseDate(date);
  return ((month - startMonth + 12) % 12) + 1;
}

export function periodContaining(date: string, kind: PeriodKind, cal: FiscalCalendar): Period {
  const memoKey = `${cal.fiscalYearStartMonth}|${kind}`;
  let memo = byDate.get(memoKey);
  if (memo === undefined) {
    memo = new Map();
    byDate.set(memoKey, memo);
  }
  return memo.get(date) ?? remember(memo, date, containingUncached(date, kind, cal));
}

function containingUncached(date: string, kind: PeriodKind, cal: FiscalCalendar): Period {
  const startMonth = checkCalendar(cal);
  const fy = fiscalYearOf(date, cal);
  const fm = fiscalMonthOf(date, cal);
  if (kind === 'year') return makePeriod(fy, 'year', 0, startMonth);
  if (kind === 'quarter') return makePeriod(fy, 'quarter', Math.ceil(fm / 3), startMonth);
  return makePeriod(fy, 'month', fm, startMonth);
}

/** The periods of one kind in a fiscal year, in order (1 year, 4 quarters or 12 months). */
export function periodsOfYear(fiscalYear: number, kind: PeriodKind, cal: FiscalCalendar): Period[] {
  const startMonth = checkCalendar(cal);
  if (!Number.isInteger(fiscalYear) || fiscalYear < 0 || fiscalYear > 9998) {
    throw new Error(`[Attain] fiscal year must be a whole number 0..9998, got ${String(fiscalYear)}`);
  }
  const count = kind === 'year' ? 1 : kind === 'quarter' ? 4 : 12;
  return Array.from({ length: count }, (_, i) => makePeriod(fiscalYear, kind, kind === 'year' ? 0 : i + 1, startMonth));
}

/** The months of a period, in order (a month period is its own single month). */
export function monthsOf(p: Period, cal: FiscalCalendar): Period[] {
  const months: Period[] = [];
  for (let d = p.start; d <= p.end; d = addDays(periodContaining(d, 'month', cal).end, 1)) {
    months.push(periodContaining(d, 'month', cal));
  }
  return months;
}

/** ISO dates compare correctly as strings, so containment is two string comparisons. */
export function periodContainsDate(p: Period, date: string): boolean {
  parseDate(date);
  return p.start <= date && date <= p.end;
}
