import { Decimal, ONE, ZERO, dec } from '../money/decimal.js';
import type { Deal } from '../data/schema.js';
import type { CreditFilter } from '../plan/schema.js';

function anyOf(list: readonly string[] | undefined, value: string | undefined): boolean {
  return list === undefined || (value !== undefined && list.includes(value));
}

/** Whether the deal passes every part of the filter except products (products narrow the amount instead). */
export function matchesFilter(deal: Deal, filter: CreditFilter | undefined): boolean {
  if (!filter) return true;
  if (!anyOf(filter.pipelines, deal.pipeline)) return false;
  if (!anyOf(filter.stages, deal.stage)) return false;
  if (!anyOf(filter.dealTypes, deal.dealType)) return false;
  if (filter.attributes) {
    for (const [key, values] of Object.entries(filter.attributes)) {
      if (!values.includes(deal.attributes?.[key] ?? '\u0000')) return false;
    }
  }
  if (filter.products) return (deal.lineItems ?? []).some((item) => filter.products!.includes(item.product));
  return true;
}

export function productUnits(deal: Deal, products: readonly string[]): Decimal {
  let units = ZERO;
  for (const item of deal.lineItems ?? []) if (products.includes(item.product)) units = units.plus(dec(item.quantity));
  return units;
}

/** Units a deal stands for: the matching line items' quantities under a product filter, else deal.units, else 1. */
export function dealUnits(deal: Deal, filter: CreditFilter | undefined): Decimal {
  if (filter?.products) return productUnits(deal, filter.products);
  return deal.units === undefined ? ONE : dec(deal.units);
}
