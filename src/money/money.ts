import { isKnownCurrency, minorUnits, type CurrencyCode } from './currency.js';
import { Decimal, ZERO, dec, round, toDecimalString, type DecimalString, type RoundingMode } from './decimal.js';

/** An amount in one currency. Immutable; arithmetic refuses to mix currencies. */
export class Money {
  private constructor(
    readonly amount: Decimal,
    readonly currency: CurrencyCode,
  ) {}

  static of(amount: Decimal | DecimalString | bigint | number, currency: CurrencyCode): Money {
    if (!isKnownCurrency(currency)) throw new Error(`[Attain] unknown currency ${currency}`);
    return new Money(dec(amount), currency);
  }

  static zero(currency: CurrencyCode): Money {
    return Money.of(ZERO, currency);
  }

  plus(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  minus(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.minus(other.amount), this.currency);
  }

  times(factor: Decimal | DecimalString | number): Money {
    return new Money(this.amount.times(dec(factor)), this.currency);
  }

  negated(): Money {
    return new Money(this.amount.negated(), this.currency);
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  isNegative(): boolean {
    return this.amount.isNegative() && !this.amount.isZero();
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.amount.comparedTo(other.amount) as -1 | 0 | 1;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  /** Rounds to the currency's minor unit (or `decimals`) with a named mode. */
  rounded(mode: RoundingMode, decimals = minorUnits(this.currency)): Money {
    return new Money(round(this.amount, decimals, mode), this.currency);
  }

  toDecimalString(decimals?: number): DecimalString {
    return toDecimalString(this.amount, decimals);
  }

  toJSON(): { amount: DecimalString; currency: CurrencyCode } {
    return { amount: this.toDecimalString(), currency: this.currency };
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new Error(`[Attain] currency mismatch: ${this.currency} and ${other.currency}`);
    }
  }
}
