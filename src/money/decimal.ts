import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one decimal constructor of Attain. A clone, so nobody else's `Decimal.set` can change our precision
 * or rounding, and ours cannot change theirs. 40 significant digits keep every intermediate exact for
 * amounts up to 10^20 with 20 fractional digits; rounding happens only where a rule names it.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

/** A decimal as it crosses every boundary (files, HTTP, database, CRM): `"1250.00"`, `"-3"`, `"0.125"`. */
export type DecimalString = string;

const DECIMAL_STRING = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

export function isDecimalString(value: string): boolean {
  return DECIMAL_STRING.test(value);
}

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);
export const HUNDRED = new Decimal(100);

/**
 * Makes a Decimal. JS numbers are accepted only when they are safe integers (counts, months, percent
 * literals in code); anything fractional must arrive as a string so no binary float ever touches money.
 */
export function dec(value: Decimal | DecimalString | bigint | number): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`[Attain] fractional JS number ${value} used as a decimal`);
    return new Decimal(value);
  }
  if (typeof value === 'bigint') return new Decimal(value.toString());
  if (!DECIMAL_STRING.test(value)) throw new Error(`[Attain] not a decimal string: ${JSON.stringify(value)}`);
  return new Decimal(value);
}

/** Named rounding modes. Half-even is the default for money; half-up is what most payroll sheets do. */
export const ROUNDING_MODES = {
  'half-even': DecimalJs.ROUND_HALF_EVEN,
  'half-up': DecimalJs.ROUND_HALF_UP,
  'half-down': DecimalJs.ROUND_HALF_DOWN,
  up: DecimalJs.ROUND_UP,
  down: DecimalJs.ROUND_DOWN,
  ceiling: DecimalJs.ROUND_CEIL,
  floor: DecimalJs.ROUND_FLOOR,
} as const;
export type RoundingMode = keyof typeof ROUNDING_MODES;
export const ROUNDING_MODE_NAMES = Object.keys(ROUNDING_MODES) as [RoundingMode, ...RoundingMode[]];

export function round(value: Decimal, decimals: number, mode: RoundingMode): Decimal {
  return value.toDecimalPlaces(decimals, ROUNDING_MODES[mode]);
}

/** Canonical string form: no exponent, no trailing zeros beyond what `decimals` asks for. */
export function toDecimalString(value: Decimal, decimals?: number): DecimalString {
  // eslint-disable-next-line no-restricted-syntax -- decimal.js's exact toFixed, inside the money module the rule points to
  const text = decimals === undefined ? value.toFixed() : value.toFixed(decimals);
  return text === '-0' || /^-0\.0*$/.test(text) ? text.slice(1) : text;
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

export function min(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

/** Ratio a / b, or zero when b is zero (attainment against a zero quota is reported as 0 with a warning upstream). */
export function ratio(a: Decimal, b: Decimal): Decimal {
  return b.isZero() ? ZERO : a.dividedBy(b);
}
