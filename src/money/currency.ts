/**
 * ISO 4217 codes and their minor units come from the runtime's ICU data (Intl), not a hand-kept list:
 * it is the same table every browser and HubSpot use to format money.
 */
const KNOWN = new Set(Intl.supportedValuesOf('currency'));

export type CurrencyCode = string;

export function isKnownCurrency(code: string): boolean {
  return KNOWN.has(code);
}

const minorUnitsCache = new Map<string, number>();

/** Decimal places of the currency's minor unit: DKK 2, JPY 0, BHD 3. */
export function minorUnits(code: CurrencyCode): number {
  let units = minorUnitsCache.get(code);
  if (units === undefined) {
    if (!isKnownCurrency(code)) throw new Error(`[Attain] unknown currency ${code}`);
    units =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    minorUnitsCache.set(code, units);
  }
  return units;
}
