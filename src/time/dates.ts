/**
 * ISO calendar dates (YYYY-MM-DD) as plain strings, with arithmetic on a day number so nothing depends on
 * the machine's time zone or clock. Day numbers count days since 1970-01-01 (proleptic Gregorian).
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface YearMonthDay {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Parses and checks a calendar date; throws naming the bad value. */
export function parseDate(date: string): YearMonthDay {
  const m = ISO_DATE.exec(date);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return { year, month, day };
  }
  throw new Error(`[Attain] not a calendar date written YYYY-MM-DD: ${JSON.stringify(date)}`);
}

export function formatDate(year: number, month: number, day: number): string {
  if (year < 0 || year > 9999) throw new Error(`[Attain] year ${year} is outside 0000–9999`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function toDayNumber(date: string): number {
  const { year, month, day } = parseDate(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatDate(year, month, day);
}

/** Signed number of days from `a` to `b`: daysBetween('2026-01-01', '2026-01-31') = 30. */
export function daysBetween(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

export function addDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`[Attain] addDays needs a whole number of days, got ${n}`);
  return fromDayNumber(toDayNumber(date) + n);
}

/**
 * Adds calendar months; a day that does not exist in the target month becomes that month's last day
 * (2026-01-31 + 1 month = 2026-02-28, 2028-02-29 + 12 months = 2029-02-28), the usual contract convention.
 */
export function addMonths(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`[Attain] addMonths needs a whole number of months, got ${n}`);
  const { year, month, day } = parseDate(date);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** Last day of the month that `date` falls in. */
export function endOfMonth(date: string): string {
  const { year, month } = parseDate(date);
  return formatDate(year, month, daysInMonth(year, month));
}
