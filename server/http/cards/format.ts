/**
 * Locale formatting for view models. Intl formats decimal STRINGS exactly (no float conversion), so amounts go
 * in as the engine's strings: "1080000.00" in da → "1.080.000,00 kr.".
 */
import { dec, toDecimalString, type DecimalString } from '../../../src/money/decimal.js';
import type { Locale, MoneyView, PercentView } from './schemas.js';

const TAGS: Record<Locale, string> = { da: 'da-DK', en: 'en-GB' };

const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(locale: Locale, currency: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(TAGS[locale], { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  return f;
}

const percentFormats: Record<Locale, Intl.NumberFormat> = {
  da: new Intl.NumberFormat(TAGS.da, { style: 'percent', maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat(TAGS.en, { style: 'percent', maximumFractionDigits: 1 }),
};

/** Intl's typings predate string input (ES2023 NumberFormat v3); the runtime formats the decimal exactly. */
type StringFormat = (value: string) => string;

export function money(amount: DecimalString, currency: string, locale: Locale): MoneyView {
  const canonical = toDecimalString(dec(amount));
  return {
    amount: canonical,
    currency,
    formatted: (moneyFormat(locale, currency).format as unknown as StringFormat)(canonical),
  };
}

export function percent(ratio: DecimalString, locale: Locale): PercentView {
  const canonical = toDecimalString(dec(ratio));
  return { ratio: canonical, formatted: (percentFormats[locale].format as unknown as StringFormat)(canonical) };
}

export function dateText(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(TAGS[locale], { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}

const relative: Record<Locale, Intl.RelativeTimeFormat> = {
  da: new Intl.RelativeTimeFormat(TAGS.da, { numeric: 'auto' }),
  en: new Intl.RelativeTimeFormat(TAGS.en, { numeric: 'auto' }),
};

/** "4 minutes ago" / "for 4 minutter siden", in the largest unit that fits. */
export function ago(then: Date, now: Date, locale: Locale): string {
  const seconds = Math.round((then.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative[locale].format(seconds, 'second');
  if (abs < 3600) return relative[locale].format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative[locale].format(Math.round(seconds / 3600), 'hour');
  return relative[locale].format(Math.round(seconds / 86_400), 'day');
}
