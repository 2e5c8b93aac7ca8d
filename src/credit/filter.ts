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

export function hasProductFilter(filter: CreditFilter | undefined): boolean {
  return filter?.products !== undefined;
}

/** The deal-currency amount of the line items whose product is listed. */
export function productShare(deal: Deal, products: readonly string[]): { amount: Decimal } {
  let amount = ZERO;
  for (const item of deal.lineItems ?? []) if (products.includes(item.product)) amount = amount.plus(dec(item.amount));
  return { amount };
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

/** Combines the plan-wide filter with a component's or SPIF's (both must pass). */
export function bothFilters(a: CreditFilter | undefined, b: CreditFilter | undefined): CreditFilter | undefined {
  if (!a || Object.keys(a).length === 0) return b;
  if (!b || Object.keys(b).length === 0) return a;
  const pick = (x: string[] | undefined, y: string[] | undefined): string[] | undefined =>
    x === undefined ? y : y === undefined ? x : x.filter((v) => y.includes(v));
  const merged: CreditFilter = {};
  const pipelines = pick(a.pipelines, b.pipelines);
  const stages = pick(a.stages, b.stages);
  const products = pick(a.products, b.products);
  const dealTypes = pick(a.dealTypes, b.dealTypes);
  if (pipelines) merged.pipelines = pipelines;
  if (stages) merged.stages = stages;
  if (products) merged.products = products;
  if (dealTypes) merged.dealTypes = dealTypes;
  if (a.attributes || b.attributes) {
    const attributes: Record<string, string[]> = { ...a.attributes };
    for (const [key, values] of Object.entries(b.attributes ?? {})) attributes[key] = pick(attributes[key], values) ?? values;
    merged.attributes = attributes;
  }
  return merged;
}
