import { Money } from './money.js';
import type { CurrencyCode } from './currency.js';
import { dec, toDecimalString, type DecimalString } from './decimal.js';

/** One published rate: 1 `from` = `rate` `to`, valid from `date` until the next rate of the same pair. */
export interface FxRate {
  from: CurrencyCode;
  to: CurrencyCode;
  date: string; // YYYY-MM-DD
  rate: DecimalString;
}

/** Dated FX: the rate in force on a date is the latest one published on or before it. */
export class FxTable {
  private readonly byPair = new Map<string, FxRate[]>();

  constructor(rates: readonly FxRate[]) {
    for (const r of rates) {
      const key = `${r.from}>${r.to}`;
      const list = this.byPair.get(key) ?? [];
      list.push(r);
      this.byPair.set(key, list);
    }
    for (const list of this.byPair.values()) list.sort((a, b) => a.date.localeCompare(b.date));
  }

  /** The rate, or undefined when none is in force (callers report that as a data-quality warning). */
  rateOn(from: CurrencyCode, to: CurrencyCode, date: string): DecimalString | undefined {
    if (from === to) return '1';
    const direct = this.latestOnOrBefore(`${from}>${to}`, date);
    if (direct) return direct.rate;
    const inverse = this.latestOnOrBefore(`${to}>${from}`, date);
    return inverse ? toDecimalString(dec(1).dividedBy(dec(inverse.rate))) : undefined;
  }

  convert(amount: Money, to: CurrencyCode, date: string): Money | undefined {
    const rate = this.rateOn(amount.currency, to, date);
    return rate === undefined ? undefined : Money.of(amount.amount.times(dec(rate)), to);
  }

  private latestOnOrBefore(key: string, date: string): FxRate | undefined {
    const list = this.byPair.get(key);
    if (!list) return undefined;
    let found: FxRate | undefined;
    for (const r of list) {
      if (r.date <= date) found = r;
      else break;
    }
    return found;
  }
}
