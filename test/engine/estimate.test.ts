import { describe, expect, it } from 'vitest';
import { estimate } from '../../src/engine/index.js';
import { plan, data, deal } from './helpers.js';

describe('estimate: what this deal pays me', () => {
  const p = plan(
    [
      {
        id: 'rev',
        name: 'Revenue',
        rates: {
          axis: 'attainment',
          tiers: [
            { from: '0', to: '0.8', rate: '0.01' },
            { from: '0.8', to: '1', rate: '0.02' },
            { from: '1', to: null, rate: '0.03' },
          ],
        },
      },
    ],
    {
      crediting: { rollUp: 'direct' },
    },
  );
  const d = data({
    payees: [
      { id: 'm', name: 'Manager' },
      { id: 'anna', name: 'Anna', managerId: 'm' },
      { id: 'bo', name: 'Bo', managerId: 'm' },
    ],
    quotas: [
      { payeeId: 'anna', periodId: '2026-Q3', amount: '100000' },
      { payeeId: 'bo', periodId: '2026-Q3', amount: '100000' },
      { payeeId: 'm', periodId: '2026-Q3', amount: '200000' },
    ],
    deals: [
      deal('anna', '60000', '2026-07-10'),
      deal('anna', '30000', null, {
        id: 'open',
        status: 'open',
        splits: [
          { payeeId: 'anna', share: '0.5', type: 'revenue' },
          { payeeId: 'bo', share: '0.5', type: 'revenue' },
        ],
      }),
    ],
  });
  it('per credited payee: commission with − without, tier slices, attainment before → after (roll-up manager included)', () => {
    const e = estimate({ plans: p, data: d, periodId: '2026-Q3', asOf: '2026-08-01' }, 'open', { amount: '60000' });
    expect(e.periodId).toBe('2026-Q3');
    expect(e.whatIf).toEqual({ amount: '60000' });
    const anna = e.payees.find((x) => x.payeeId === 'anna')!;
    expect([anna.credit, anna.commission, anna.before.attainment, anna.after.attainment]).toEqual([
      '30000',
      '400.00',
      '0.6',
      '0.9',
    ]);
    expect(anna.tiers.map((t) => [t.label, t.creditInTier, t.rate, t.payout])).toEqual([
      ['0 % – 80 %', '20000', '0.01', '200'],
      ['80 % – 100 %', '10000', '0.02', '200'],
    ]);
    expect(e.payees.map((x) => x.payeeId).sort()).toEqual(['anna', 'bo', 'm']);
    expect(e.payees.find((x) => x.payeeId === 'bo')!.commission).toBe('300.00');
  });
  it('a what-if close date moves the deal to that period', () => {
    const e = estimate({ plans: p, data: d, periodId: '2026-Q3' }, 'open', { closeDate: '2026-11-02' });
    expect(e.periodId).toBe('2026-Q4');
    expect(e.payees.find((x) => x.payeeId === 'anna')!.before.credited).toBe('0');
  });
  it('an unknown deal is an error naming it', () => {
    expect(() => estimate({ plans: p, data: d, periodId: '2026-Q3' }, 'nope')).toThrow(/unknown deal id "nope"/);
  });
});
