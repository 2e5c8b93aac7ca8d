import { describe, expect, it } from 'vitest';
import { dec } from '../../src/money/index.js';
import { formatMoney, formatNumber, formatPercent, LOCALE_OF } from '../../src/format/index.js';

// Intl separates numbers from units with no-break spaces; normalise them so the expectations stay readable.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('number formatting', () => {
  it.each([
    ['1080000', 'DKK', 'da-DK', '1.080.000,00 kr.'],
    ['1080000', 'DKK', 'en-GB', 'DKK 1,080,000.00'],
    ['-1234.5', 'DKK', 'da-DK', '-1.234,50 kr.'],
    ['0.125', 'DKK', 'da-DK', '0,12 kr.'], // half-even
    ['0.135', 'DKK', 'da-DK', '0,14 kr.'],
    ['12345678901234567890.01', 'DKK', 'da-DK', '12.345.678.901.234.567.890,01 kr.'], // beyond float precision
    ['1500', 'JPY', 'en-GB', 'JP¥1,500'],
  ] as const)('%s %s in %s → %s', (amount, currency, locale, expected) => {
    expect(plain(formatMoney(amount, currency, locale))).toBe(expected);
  });

  it('percentages and plain numbers in Danish and English', () => {
    expect(plain(formatPercent('1.2'))).toBe('120,0 %');
    expect(plain(formatPercent(dec('0.9'), LOCALE_OF.en))).toBe('90.0%');
    expect(plain(formatPercent('0.70049', LOCALE_OF.en, 2))).toBe('70.05%');
    expect(plain(formatNumber('9000000'))).toBe('9.000.000');
    expect(plain(formatNumber(dec('1080000.5'), LOCALE_OF.en))).toBe('1,080,000.5');
    expect(plain(formatMoney(dec('900000'), 'DKK'))).toBe('900.000,00 kr.');
  });
});
