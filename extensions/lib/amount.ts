/**
 * What-if amounts typed by a user → a decimal string for the server, or null when it is not an amount.
 * Only text is rearranged (grouping and decimal separators by language); no arithmetic happens in the card.
 */
import type { Language } from '../i18n/index.js';

export function parseAmountInput(text: string, language: Language): string | null {
  let s = text.replace(/[\s\u00a0]|kr\.?|dkk|usd|eur|[$€£]/gi, '');
  s = language === 'da' ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  return /^\d{1,15}(?:\.\d{1,6})?$/.test(s) ? s.replace(/^0+(?=\d)/, '') : null;
}

/** DateInput's value: months are 0-based (0 = January). */
export interface DateValue {
  year: number;
  month: number;
  date: number;
}

export function dateInputFromIso(iso: string | undefined): DateValue | null {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null;
  return m ? { year: Number(m[1]), month: Number(m[2]) - 1, date: Number(m[3]) } : null;
}

export function isoFromDateInput(d: DateValue | null | undefined): string | undefined {
  if (!d) return undefined;
  return `${String(d.year).padStart(4, '0')}-${String(d.month + 1).padStart(2, '0')}-${String(d.date).padStart(2, '0')}`;
}
