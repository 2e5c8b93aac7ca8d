import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Money, allocate, dec, round, toDecimalString, FxTable, minorUnits } from '../src/money/index.js';

describe('money', () => {
  it.each([
    ['2.345', 2, 'half-even', '2.34'],
    ['2.355', 2, 'half-even', '2.36'],
    ['2.345', 2, 'half-up', '2.35'],
    ['-2.345', 2, 'half-up', '-2.35'],
    ['-2.345', 2, 'half-even', '-2.34'],
    ['-2.341', 2, 'floor', '-2.35'],
    ['0', 2, 'half-even', '0.00'],
    ['-0.001', 2, 'half-even', '0.00'],
  ] as const)('rounds %s to %i places %s → %s', (value, places, mode, expected) => {
    expect(toDecimalString(round(dec(value), places, mode), places)).toBe(expected);
  });

  it('refuses fractional JS numbers and non-decimal strings', () => {
    expect(() => dec(0.1)).toThrow(/fractional JS number/);
    expect(() => dec('1e5')).toThrow(/not a decimal string/);
    expect(() => dec('1,000')).toThrow(/not a decimal string/);
  });

  it('refuses to mix currencies', () => {
    expect(() => Money.of('1', 'DKK').plus(Money.of('1', 'EUR'))).toThrow(/currency mismatch/);
  });

  it('knows minor units from ISO 4217', () => {
    expect([minorUnits('DKK'), minorUnits('JPY'), minorUnits('BHD')]).toEqual([2, 0, 3]);
  });

  it('converts with the rate in force on the date', () => {
    const fx = new FxTable([
      { from: 'EUR', to: 'DKK', date: '2026-01-01', rate: '7.46' },
      { from: 'EUR', to: 'DKK', date: '2026-07-01', rate: '7.45' },
    ]);
    expect(fx.convert(Money.of('100', 'EUR'), 'DKK', '2026-06-30')?.toDecimalString()).toBe('746');
    expect(fx.convert(Money.of('100', 'EUR'), 'DKK', '2026-07-01')?.toDecimalString()).toBe('745');
    expect(fx.convert(Money.of('100', 'EUR'), 'DKK', '2025-12-31')).toBeUndefined();
  });

  it('allocate keeps the total exactly and stays within one minor unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc
          .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 })
          .filter((w) => w.some((x) => x > 0)),
        (cents, weights) => {
          const total = dec(cents).dividedBy(100);
          const parts = allocate(
            total,
            weights.map((w) => dec(w)),
            2,
          );
          const partSum = parts.reduce((a, b) => a.plus(b), dec(0));
          expect(partSum.equals(total)).toBe(true);
          const weightSum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((p, i) => {
            const exact = total.times(weights[i] ?? 0).dividedBy(weightSum);
            expect(p.minus(exact).abs().lessThanOrEqualTo('0.01')).toBe(true);
          });
        },
      ),
    );
  });
});
