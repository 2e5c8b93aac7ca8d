import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataSetSchema } from '../../src/data/index.js';
import { checkDataSet, parsePlan } from '../../src/plan/index.js';
import { dec, sum, toDecimalString } from '../../src/money/index.js';
import { buildQuotas, capacityCheck } from '../../src/quota/index.js';
import { parsePeriodId, periodContainsDate, periodsOfYear } from '../../src/time/index.js';

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../examples/reference-scenario/${name}`, import.meta.url), 'utf8'));

describe('examples/reference-scenario', () => {
  const data = dataSetSchema.parse(read('data.json'));
  const plan = parsePlan(read('plan.json'));

  it('plan.json is a valid plan and data.json is consistent with it', () => {
    expect(plan.ok ? [] : plan.errors).toEqual([]);
    if (plan.ok) expect(checkDataSet(data, [plan.plan])).toEqual({ errors: [], warnings: [] });
  });

  it('quotas are the 36,000,000 DKK annual target split evenly over 10 sellers and four quarters', () => {
    const sellers = data.payees.filter((p) => data.quotas.some((q) => q.payeeId === p.id)).map((p) => p.id);
    expect(sellers).toHaveLength(10);
    const built = buildQuotas({
      companyTarget: '36000000',
      sellers,
      periods: periodsOfYear(2026, 'quarter', { fiscalYearStartMonth: 1 }),
      seasonality: 'even',
    });
    expect(data.quotas).toEqual(built);
    expect(
      capacityCheck(
        '36000000',
        data.quotas.map((q) => q.amount),
        '0',
      ).covered,
    ).toBe(true);
  });

  it('the team has a manager payee without quota', () => {
    const team = data.teams[0];
    expect(team?.name).toBe('Nordic Sales');
    const manager = data.payees.find((p) => p.id === team?.managerId);
    expect(manager).toBeDefined();
    expect(data.quotas.some((q) => q.payeeId === manager?.id)).toBe(false);
    expect(data.payees.filter((p) => p.managerId === manager?.id)).toHaveLength(10);
  });

  it('Q3 2026 won deals credit 1,080,000 / 810,000 / 630,000 to Anna, Bo and Camilla and 8,100,000 to the team', () => {
    const q3 = parsePeriodId('2026-Q3', { fiscalYearStartMonth: 1 });
    const credit = new Map<string, ReturnType<typeof dec>>();
    for (const d of data.deals) {
      if (d.status !== 'won' || d.closeDate === null || !periodContainsDate(q3, d.closeDate)) continue;
      const splits = d.splits ?? [{ payeeId: d.ownerId as string, share: '1', type: 'revenue' as const }];
      for (const s of splits)
        credit.set(s.payeeId, (credit.get(s.payeeId) ?? dec(0)).plus(dec(d.amount).times(dec(s.share))));
    }
    const of = (id: string) => toDecimalString(credit.get(id) ?? dec(0));
    expect([of('anna'), of('bo'), of('camilla')]).toEqual(['1080000', '810000', '630000']);
    expect(toDecimalString(sum(credit.values()))).toBe('8100000');
    expect(data.deals.some((d) => d.status === 'lost')).toBe(true);
    expect(data.deals.filter((d) => d.status === 'open' && d.probability !== undefined).length).toBeGreaterThanOrEqual(
      3,
    );
    expect(data.deals.some((d) => (d.splits?.length ?? 0) === 2)).toBe(true);
  });
});
