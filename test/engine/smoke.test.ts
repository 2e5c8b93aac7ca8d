import { describe, expect, it } from 'vitest';
import { plan, data, payees, deal, run, payee } from './helpers.js';

describe('smoke', () => {
  it('example 2', () => {
    const p = plan([{ id: 'rev', name: 'Revenue', period: 'quarter', rates: { application: 'marginal', input: 'period', axis: 'attainment', basis: 'credit', tiers: [
      { from: '0', to: '0.5', rate: '0.05' }, { from: '0.5', to: '1', rate: '0.10' }, { from: '1', to: '1.5', rate: '0.15' }, { from: '1.5', to: null, rate: '0.20' }] } }]);
    const d = data({ payees: payees('a'), quotas: [{ payeeId: 'a', periodId: '2026-Q1', amount: '100000' }], deals: [deal('a', '140000', '2026-02-01')] });
    const r = run(p, d, '2026-Q1');
    console.log(JSON.stringify(r, null, 1));
    expect(payee(r, 'a').earnings).toBe('13500');
  });
});
