import { Decimal, ZERO } from '../money/decimal.js';
import { addDays, daysBetween, endOfMonth, parseDate } from './dates.js';
import type { Period } from './calendar.js';

/** An effective-dated range: `from` inclusive, `to` inclusive, `to: null` = open-ended. */
export interface DateRange {
  from: string;
  to: string | null;
}

export function rangeContains(range: DateRange, date: string): boolean {
  parseDate(date);
  return range.from <= date && (range.to === null || date <= range.to);
}

/** The part of `range` inside [start, end], or null when they do not meet. */
export function intersect(range: DateRange, start: string, end: string): { from: string; to: string } | null {
  const from = range.from > start ? range.from : start;
  const to = range.to === null || range.to > end ? end : range.to;
  return from <= to ? { from, to } : null;
}

export function rangesOverlap(a: DateRange, b: DateRange): boolean {
  return (a.to === null || b.from <= a.to) && (b.to === null || a.from <= b.to);
}

/** Inclusive day count of a closed range. */
function dayCount(from: string, to: string): number {
  return daysBetween(from, to) + 1;
}

/**
 * How much of period `p` `range` covers, as a whole-number fraction `covered / total`, so callers can
 * multiply first and divide last (quota × covered / total) and stay exact where the ratio is a repeating decimal.
 * - 'days': covered days / days in the period (exact to the day; leap years count).
 * - 'months': covered WHOLE months / months in the period. A month counts only when the range covers every
 *   day of it, so a seller hired on 2 August gets no August share; use 'days' where partial months matter.
 */
export function prorationParts(range: DateRange, p: Period, by: 'days' | 'months'): { covered: number; total: number } {
  parseDate(range.from);
  if (range.to !== null) {
    parseDate(range.to);
    if (range.to < range.from) throw new Error(`[Attain] range ends (${range.to}) before it starts (${range.from})`);
  }
  if (by === 'days') {
    const overlap = intersect(range, p.start, p.end);
    return { covered: overlap === null ? 0 : dayCount(overlap.from, overlap.to), total: dayCount(p.start, p.end) };
  }
  // Fiscal months always start on the 1st, so a period's months are its calendar months.
  let total = 0;
  let covered = 0;
  for (let start = p.start; start <= p.end; start = addDays(endOfMonth(start), 1)) {
    total += 1;
    if (start >= range.from && (range.to === null || endOfMonth(start) <= range.to)) covered += 1;
  }
  return { covered, total };
}

/** Share of period `p` covered by `range`, 0..1 (see `prorationParts`; 40 significant digits when it repeats). */
export function prorationFactor(range: DateRange, p: Period, by: 'days' | 'months'): Decimal {
  const { covered, total } = prorationParts(range, p, by);
  return covered === 0 ? ZERO : new Decimal(covered).dividedBy(total);
}

/**
 * Versions that each hold from their `effectiveFrom` until the next version starts (plan versions, rates):
 * the one in force on `date` is the latest that started on or before it, or undefined before the first.
 */
export function versionInForce<T extends { effectiveFrom: string }>(
  versions: readonly T[],
  date: string,
): T | undefined {
  parseDate(date);
  let found: T | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= date && (found === undefined || v.effectiveFrom >= found.effectiveFrom)) found = v;
  }
  return found;
}

/**
 * Records with explicit ranges (assignments, territories): the one whose range contains `date`.
 * Overlapping ranges are a data error, so more than one match throws naming both.
 */
export function recordInForce<T>(records: readonly T[], date: string, rangeOf: (r: T) => DateRange): T | undefined {
  parseDate(date);
  let found: T | undefined;
  for (const r of records) {
    if (!rangeContains(rangeOf(r), date)) continue;
    if (found !== undefined) {
      const a = rangeOf(found);
      const b = rangeOf(r);
      throw new Error(
        `[Attain] overlapping ranges ${a.from}…${a.to ?? 'open'} and ${b.from}…${b.to ?? 'open'} both cover ${date}`,
      );
    }
    found = r;
  }
  return found;
}

export type RangeProblem =
  | { kind: 'overlap'; index: number; previous: number }
  | { kind: 'gap'; index: number; previous: number; from: string; to: string }
  | { kind: 'reversed'; index: number };

/**
 * Checks a list of ranges that should tile time (e.g. one payee's plan assignments): reports ranges that end
 * before they start, overlaps, and gaps between consecutive ranges. Indexes refer to the input order.
 */
export function checkRanges(ranges: readonly DateRange[]): RangeProblem[] {
  const problems: RangeProblem[] = [];
  const order = ranges
    .map((r, index) => ({ r, index }))
    .sort((a, b) => a.r.from.localeCompare(b.r.from) || a.index - b.index);
  for (const { r, index } of order) if (r.to !== null && r.to < r.from) problems.push({ kind: 'reversed', index });
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1] as { r: DateRange; index: number };
    const cur = order[k] as { r: DateRange; index: number };
    if (prev.r.to === null || cur.r.from <= prev.r.to)
      problems.push({ kind: 'overlap', index: cur.index, previous: prev.index });
    else if (addDays(prev.r.to, 1) < cur.r.from) {
      problems.push({
        kind: 'gap',
        index: cur.index,
        previous: prev.index,
        from: addDays(prev.r.to, 1),
        to: addDays(cur.r.from, -1),
      });
    }
  }
  return problems;
}
