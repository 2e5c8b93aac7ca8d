import { Decimal, type DecimalString, type RoundingMode } from './decimal.js';

/**
 * Exact scaled integers: a decimal x held as the JS safe integer x × 10^scale. The engine's hot path uses
 * them where every amount, edge and rate of a period fits, so common lines cost integer additions instead of
 * decimal.js allocations; every function here either gives the exact result or says it cannot (undefined),
 * and the caller then stays on Decimal. Results are the same numbers Decimal arithmetic gives.
 */

const POW10: number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

function digitCount(word: number): number {
  let n = 1;
  while (word >= POW10[n]! && n < 7) n++;
  return n;
}

/**
 * x × 10^scale as a safe integer, or undefined when that is not an integer or not safe. Reads decimal.js's
 * documented representation (digits `d` in base 10^7, exponent `e`, sign `s`) without allocating.
 */
export function toScaledInteger(x: Decimal, scale: number): number | undefined {
  const d = x.d as number[] | null;
  if (!d) return undefined;
  let c = d[0]!;
  let len = digitCount(c);
  for (let i = 1; i < d.length; i++) {
    let word = d[i]!;
    let width = 7;
    // the last word is zero-padded on the right: drop those zeros so the coefficient stays small
    if (i === d.length - 1) {
      while (width > 0 && word % 10 === 0) {
        word /= 10;
        width--;
      }
    }
    c = c * POW10[width]! + word;
    len += width;
    if (c > Number.MAX_SAFE_INTEGER) return undefined;
  }
  const k = x.e - len + 1 + scale;
  if (k > 0) {
    if (k > 15) return c === 0 ? 0 : undefined;
    c *= POW10[k]!;
    if (c > Number.MAX_SAFE_INTEGER) return undefined;
  } else if (k < 0) {
    const p = POW10[-k];
    if (p === undefined) return c === 0 ? 0 : undefined;
    if (c % p !== 0) return undefined;
    c /= p;
  }
  return x.s < 0 && c !== 0 ? -c : c;
}

/** The decimal string of n × 10^−scale with exactly `scale` fraction digits (as `toFixed(scale)` writes it). */
export function formatScaled(n: number, scale: number): DecimalString {
  const negative = n < 0;
  const digits = String(negative ? -n : n);
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.length > scale ? digits : '0'.repeat(scale - digits.length + 1) + digits;
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** The canonical decimal string of n × 10^−scale: no trailing fraction zeros (as `toDecimalString(x)` writes it). */
export function formatScaledMinimal(n: number, scale: number): DecimalString {
  let text = formatScaled(n, scale);
  if (scale === 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  text = text.slice(0, end);
  return text;
}

export function fromScaledInteger(n: number, scale: number): Decimal {
  return new Decimal(formatScaled(n, scale));
}

/** Rounds n × 10^−from to `to` fraction digits with a named mode; the result is at scale `to`. */
export function roundScaled(n: number, from: number, to: number, mode: RoundingMode): number {
  if (from <= to) return n * POW10[to - from]!;
  const unit = POW10[from - to]!;
  let q = Math.trunc(n / unit);
  // the float quotient is correctly rounded; near 2^53 it could land on the next integer, so settle it exactly
  if (n >= 0 ? q * unit > n : q * unit < n) q += n >= 0 ? -1 : 1;
  const r = n - q * unit;
  if (r === 0) return q;
  const away = n < 0 ? q - 1 : q + 1;
  const twice = 2 * Math.abs(r);
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'ceiling':
      return n > 0 ? away : q;
    case 'floor':
      return n < 0 ? away : q;
    case 'half-up':
      return twice >= unit ? away : q;
    case 'half-down':
      return twice > unit ? away : q;
    case 'half-even':
      return twice > unit || (twice === unit && q % 2 !== 0) ? away : q;
  }
}
