import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ROUNDING_MODE_NAMES,
  allocate,
  allocateDecimal,
  dec,
  formatScaled,
  formatScaledMinimal,
  round,
  roundScaled,
  toDecimalString,
  toScaledInteger,
} from '../../src/money/index.js';
import { plan, data, run, payees } from './helpers.js';

/** A decimal string with up to `places` fraction digits. */
const decimalText = (maxInt: number, places: number) =>
  fc
    .tuple(
      fc.boolean(),
      fc.integer({ min: 0, max: maxInt }),
      fc.integer({ min: 0, max: 10 ** places - 1 }),
      fc.integer({ min: 0, max: places }),
    )
    .map(([neg, i, f, p]) => {
      const frac = p === 0 ? '' : `.${String(f).padStart(places, '0').slice(0, p)}`;
      const text = `${i}${frac}`;
      return neg && dec(text).isZero() === false ? `-${text}` : text;
    });

describe('scaled integers equal decimal.js', () => {
  it('toScaledInteger is exact or refuses', () => {
    fc.assert(
      fc.property(decimalText(10 ** 9, 6), fc.integer({ min: 0, max: 8 }), (text, scale) => {
        const n = toScaledInteger(dec(text), scale);
        const exact = dec(text).times(dec(10).pow(scale));
        if (exact.isInteger() && exact.abs().lessThanOrEqualTo(Number.MAX_SAFE_INTEGER))
          expect(n).toBe(exact.toNumber());
        else expect(n).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('roundScaled and formatScaled match round and toDecimalString in every mode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(...ROUNDING_MODE_NAMES),
        (n, from, to, mode) => {
          const x = dec(formatScaled(n, from));
          expect(toDecimalString(x, from)).toBe(formatScaled(n, from));
          expect(toDecimalString(x)).toBe(formatScaledMinimal(n, from));
          const r = roundScaled(n, from, to, mode);
          expect(formatScaled(r, to)).toBe(toDecimalString(round(x, to, mode), to));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('allocate in integer units equals the Decimal allocation', () => {
  it('gives the same parts (sign of zero included) for any total and weights', () => {
    const weights = fc.oneof(
      fc.constantFrom(
        ['0.5', '0.5'],
        ['0.6', '0.4'],
        ['0.7', '0.3'],
        ['0.25', '0.25', '0.5'],
        ['0.333', '0.333', '0.334'],
        ['1'],
        ['0', '1'],
        ['0.1', '0.2', '0.3', '0.4'],
      ),
      fc
        .array(fc.integer({ min: 0, max: 1000 }).map(String), { minLength: 1, maxLength: 5 })
        .filter((w) => w.some((x) => x !== '0')),
    );
    fc.assert(
      fc.property(decimalText(10 ** 8, 4), weights, fc.constantFrom(0, 2, 3, 4), (total, w, decimals) => {
        const ws = w.map((x) => dec(x));
        const a = allocate(dec(total), ws, decimals);
        const b = allocateDecimal(dec(total), ws, decimals);
        expect(a.map((x) => `${x.isNegative() ? 'n' : 'p'}${x.toFixed()}`)).toEqual(
          b.map((x) => `${x.isNegative() ? 'n' : 'p'}${x.toFixed()}`),
        );
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * The integer fast path against the Decimal path: the same plan with an attainment cap no credit can reach
 * (which keeps a component on the Decimal path) must give byte-identical results, traces included. Amounts
 * with more decimals than the period's scale and amounts too large for safe integers exercise the hand-over.
 */
describe('integer fast path equals the Decimal path', () => {
  const tier = fc.record({
    width: decimalText(2, 3).map((w) => dec(w).abs().plus('0.05').toFixed()),
    rate: decimalText(0, 4).map((r) => dec(r).abs().toFixed()),
    multiplier: fc.constantFrom('1', '1.5', '0.75', '2.125'),
  });
  const amount = fc.oneof(
    { weight: 8, arbitrary: decimalText(90_000, 2) },
    { weight: 1, arbitrary: decimalText(9_000, 4) },
    { weight: 1, arbitrary: fc.constantFrom('9000000000000.5', '123456789012.25') },
  );
  const scenario = fc.record({
    axis: fc.constantFrom('attainment' as const, 'amount' as const),
    tiers: fc.array(tier, { minLength: 1, maxLength: 4 }),
    periodCap: fc.option(fc.integer({ min: 1, max: 20_000 }).map(String), { nil: undefined }),
    dealCap: fc.option(
      decimalText(3_000, 2).map((t) => dec(t).abs().plus(1).toFixed()),
      { nil: undefined },
    ),
    mode: fc.constantFrom(...ROUNDING_MODE_NAMES),
    decimals: fc.constantFrom(0, 2, 3),
    quota: fc.constantFrom('100000', '123456.78', '99999.999'),
    deals: fc.array(
      fc.record({
        owner: fc.constantFrom('a', 'b'),
        amount,
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  });

  it('gives identical results, traces and tier slices', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        let from = dec(0);
        const tiers = sc.tiers.map((t, i) => {
          const to =
            i === sc.tiers.length - 1 ? null : from.plus(sc.axis === 'amount' ? dec(t.width).times(50_000) : t.width);
          const out = {
            from: from.toFixed(),
            to: to === null ? null : to.toFixed(),
            rate: t.rate,
            multiplier: t.multiplier,
          };
          if (to) from = to;
          return out;
        });
        const caps = [
          ...(sc.periodCap ? [{ kind: 'perPeriod' as const, amount: sc.periodCap }] : []),
          ...(sc.dealCap ? [{ kind: 'perTransaction' as const, amount: sc.dealCap }] : []),
        ];
        const component = (extraCaps: { kind: 'attainment'; maxAttainment: string }[]) => ({
          id: 'rev',
          name: 'Revenue',
          period: 'quarter' as const,
          rates: { axis: sc.axis, tiers },
          caps: [...caps, ...extraCaps],
        });
        const top = { rounding: { scope: 'line' as const, decimals: sc.decimals, mode: sc.mode } };
        const fast = plan([component([])], {}, top);
        const exact = plan([component([{ kind: 'attainment', maxAttainment: '1000000000000' }])], {}, top);
        const d = data({
          payees: payees('a', 'b'),
          quotas: ['a', 'b'].flatMap((id) =>
            ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'].map((periodId) => ({
              payeeId: id,
              periodId,
              amount: sc.quota,
            })),
          ),
          deals: sc.deals.map((x, i) => ({
            id: `d${i}`,
            ownerId: x.owner,
            amount: x.amount,
            currency: 'DKK',
            status: 'won' as const,
            closeDate: `2026-${String(x.month).padStart(2, '0')}-${String(x.day).padStart(2, '0')}`,
          })),
        });
        for (const period of ['2026', '2026-Q2'])
          expect(JSON.stringify(run(fast, d, period))).toBe(JSON.stringify(run(exact, d, period)));
      }),
      { numRuns: 40 },
    );
  });
});
