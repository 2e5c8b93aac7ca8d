/**
 * HubSpot's CRM search semantics over in-memory objects: filter groups OR-ed, filters inside a group AND-ed,
 * comparison by the property's type (numbers and datetimes compare as numbers, the rest as text).
 */
import { z } from 'zod';
import { Decimal } from '../../../src/money/index.js';

export const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  highValue: z.union([z.string(), z.number()]).transform(String).optional(),
  values: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});
export type Filter = z.infer<typeof filterSchema>;

const sortSchema = z.union([
  z
    .string()
    .transform((s) =>
      s.startsWith('-')
        ? { propertyName: s.slice(1), direction: 'DESCENDING' as const }
        : { propertyName: s, direction: 'ASCENDING' as const },
    ),
  z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') }),
]);

export function searchRequestSchema(maxLimit: number) {
  return z
    .object({
      filterGroups: z
        .array(z.object({ filters: z.array(filterSchema).max(10, 'at most 10 filters per group') }))
        .max(5, 'at most 5 filter groups')
        .default([]),
      sorts: z.array(sortSchema).max(1, 'one sort only').default([]),
      properties: z.array(z.string()).optional(),
      limit: z.number().int().min(0).max(maxLimit, `limit must be at most ${maxLimit}`).default(10),
      after: z.union([z.string(), z.number()]).transform(String).optional(),
      query: z.string().optional(),
    })
    .refine((r) => r.filterGroups.reduce((n, g) => n + g.filters.length, 0) <= 25, {
      message: 'at most 25 filters in total',
      path: ['filterGroups'],
    });
}
export type SearchRequest = z.infer<ReturnType<typeof searchRequestSchema>>;

export type PropertyKind = 'number' | 'datetime' | 'text';

export type Comparable = number | Decimal | string;

export function toComparable(value: string, kind: PropertyKind): Comparable | null {
  if (kind === 'datetime') {
    const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  if (kind === 'number') {
    try {
      return new Decimal(value);
    } catch {
      return null;
    }
  }
  return value.toLowerCase();
}

export function compare(a: Comparable, b: Comparable): number {
  if (a instanceof Decimal && b instanceof Decimal) return a.comparedTo(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function matchesFilter(properties: Record<string, string>, filter: Filter, kind: PropertyKind): boolean {
  const raw = properties[filter.propertyName];
  const has = raw !== undefined && raw !== '';
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const token = (filter.value ?? '').toLowerCase().replace(/\*/g, '');
      const contains =
        has &&
        raw!
          .toLowerCase()
          .split(/\s+/)
          .some((w) => w.includes(token));
      return filter.operator === 'CONTAINS_TOKEN' ? contains : !contains;
    }
    case 'IN':
    case 'NOT_IN': {
      const set = (filter.values ?? []).map((v) => toComparable(v, kind));
      const own = has ? toComparable(raw!, kind) : null;
      const inSet = own !== null && set.some((v) => v !== null && compare(own, v) === 0);
      return filter.operator === 'IN' ? inSet : !inSet;
    }
  }
  if (!has) return filter.operator === 'NEQ';
  const own = toComparable(raw!, kind);
  const target = toComparable(filter.value ?? '', kind);
  if (own === null || target === null) return false;
  const c = compare(own, target);
  switch (filter.operator) {
    case 'EQ':
      return c === 0;
    case 'NEQ':
      return c !== 0;
    case 'LT':
      return c < 0;
    case 'LTE':
      return c <= 0;
    case 'GT':
      return c > 0;
    case 'GTE':
      return c >= 0;
    case 'BETWEEN': {
      const high = toComparable(filter.highValue ?? '', kind);
      return high !== null && c >= 0 && compare(own, high) <= 0;
    }
  }
}

export function sortValue(properties: Record<string, string>, name: string, kind: PropertyKind): Comparable | null {
  const raw = properties[name];
  return raw === undefined || raw === '' ? null : toComparable(raw, kind);
}

/**
 * Ascending by value, missing values last. HubSpot does not promise an order among equal values, so ties are
 * broken by a scrambled id: a client that relies on ties coming in id order fails here as it would there.
 */
export function compareForSort(
  a: { id: string; v: Comparable | null },
  b: { id: string; v: Comparable | null },
  descending: boolean,
): number {
  if (a.v === null || b.v === null) {
    if (a.v === b.v) return scramble(a.id) - scramble(b.id);
    return a.v === null ? 1 : -1;
  }
  const c = compare(a.v, b.v);
  if (c !== 0) return descending ? -c : c;
  return scramble(a.id) - scramble(b.id);
}

/** FNV-1a: a stable, id-unrelated tie order. */
function scramble(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
