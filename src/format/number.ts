import { toDecimalString, type Decimal, type DecimalString } from '../money/decimal.js';
import { minorUnits, type CurrencyCode } from '../money/currency.js';

/**
 * Display formatting for money and ratios, shared by the CLI table, the API view models and the cards.
 * Values go to Intl.NumberFormat as decimal STRINGS (ECMA-402 formats those exactly), so no amount ever
 * passes through a binary float on its way to the screen. Display rounding is half-even to match the engine.
 */

export type Language = 'da' | 'en';

/** The locale each UI language formats with: Danish conventions for Danish; British English for English. */
export const LOCALE_OF: Record<Language, string> = { da: 'da-DK', en: 'en-GB' };

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

function text(value: Decimal | DecimalString): DecimalString {
  return typeof value === 'string' ? value : toDecimalString(value);
}

// Intl's typings only admit numbers, but the runtime (ECMA-402 NumberFormat v3, Node ≥ 19) takes exact decimal strings.
function formatExact(f: Intl.NumberFormat, value: DecimalString): string {
  return (f.format as (v: string) => string)(value);
}

/** "1.080.000,00 kr." (da-DK) · "DKK 1,080,000.00" (en-GB); the currency's own minor units. */
export function formatMoney(amount: Decimal | DecimalString, currency: CurrencyCode, locale = LOCALE_OF.da): string {
  const digits = minorUnits(currency);
  return formatExact(
    formatter(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      roundingMode: 'halfEven',
    }),
    text(amount),
  );
}

/** A plain number with grouping: "1.080.000" (da-DK), "1,080,000.5" (en-GB). */
export function formatNumber(value: Decimal | DecimalString, locale = LOCALE_OF.da, maxFractionDigits = 2): string {
  return formatExact(
    formatter(locale, { maximumFractionDigits: maxFractionDigits, roundingMode: 'halfEven' }),
    text(value),
  );
}

/** A ratio as a percentage: "1.2" → "120,0 %" (da-DK) / "120.0%" (en-GB). */
export function formatPercent(ratio: Decimal | DecimalString, locale = LOCALE_OF.da, fractionDigits = 1): string {
  return formatExact(
    formatter(locale, {
      style: 'percent',
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
      roundingMode: 'halfEven',
    }),
    text(ratio),
  );
}
