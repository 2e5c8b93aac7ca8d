import { z } from 'zod';
import { isDecimalString } from '../money/decimal.js';
import { isKnownCurrency } from '../money/currency.js';

/** Shared zod building blocks: every boundary (files, HTTP, CRM payloads) validates with these. */

export const decimalString = z
  .string()
  .refine(isDecimalString, { message: 'must be a decimal string such as "1250.00" (no exponent, no grouping)' });

export const nonNegativeDecimalString = decimalString.refine((s) => !s.startsWith('-'), {
  message: 'must not be negative',
});

/** A share or probability between 0 and 1 inclusive, as a decimal string ("0.6" = 60 %). */
export const unitIntervalString = z
  .string()
  .regex(/^(?:0(?:\.\d+)?|1(?:\.0+)?)$/, { message: 'must be a decimal between 0 and 1 such as "0.6" (60 %)' });

export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code such as "DKK"' })
  .refine(isKnownCurrency, { message: 'is not a known ISO 4217 currency' });

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isoDate = z.string().refine(
  (s) => {
    const m = ISO_DATE.exec(s);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const probe = new Date(Date.UTC(y, mo - 1, d));
    return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
  },
  { message: 'must be a calendar date written YYYY-MM-DD' },
);

/** Fiscal period ids: a year "2026", a quarter "2026-Q3", a month "2026-07" (fiscal numbering). */
export const periodId = z
  .string()
  .regex(/^\d{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/, {
    message: 'must be a period id such as "2026", "2026-Q3" or "2026-07"',
  });

export const id = z.string().min(1, { message: 'must not be empty' }).max(200);
