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

export function isoFromDateInput(d: { year: number; month: number; date: number } | null | undefined): string | undefined {
  if (!d) return undefined;
  return `${String(d.year).padStart(4, '0')}-${String(d.month + 1).padStart(2, '0')}-${String(d.date).padStart(2, '0')}`;
}
