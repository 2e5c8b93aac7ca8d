import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataSetSchema, type DataSet } from '../../src/data/index.js';
import { checkDataSet, parsePlan, type Plan } from '../../src/plan/index.js';
import { dec } from '../../src/money/index.js';
import { calculate } from '../../src/index.js';

/** Every ```json block of docs/plan-format.md is a complete plan or data file and must validate. */
const doc = readFileSync(new URL('../../docs/plan-format.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m, i) => {
  const line = doc.slice(0, m.index).split('\n').length + 1;
  return { i, line, text: m[1] as string };
});

describe('docs/plan-format.md examples', () => {
  it('has an example block for every switch', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(25);
  });

  let lastPlan: Plan | undefined;
  for (const block of blocks) {
    it(`block ${block.i + 1} (line ${block.line}) is a valid ${block.text.includes('"versions"') ? 'plan' : 'data file'}`, () => {
      const value = JSON.parse(block.text) as Record<string, unknown>;
      if ('versions' in value) {
        const parsed = parsePlan(value);
        expect(parsed.ok ? [] : parsed.errors).toEqual([]);
        if (parsed.ok) lastPlan = parsed.plan;
        return;
      }
      const data = dataSetSchema.safeParse(value);
      expect(data.success ? [] : data.error.issues).toEqual([]);
      // A data block right after a plan block belongs to it.
      const previous = blocks[block.i - 1];
      if (data.success && previous?.text.includes('"versions"') && lastPlan) {
        expect(checkDataSet(data.data, [lastPlan]).errors).toEqual([]);
      }
    });
  }
});

/** The figures the page states are what the engine pays. */
describe('docs/plan-format.md figures', () => {
  const json = blocks.map((b) => JSON.parse(b.text) as Record<string, unknown>);
  const planOf = (id: string): Plan => {
    const parsed = parsePlan(json.find((b) => b.id === id));
    if (!parsed.ok) throw new Error(`plan ${id}: ${JSON.stringify(parsed.errors)}`);
    return parsed.plan;
  };
  const dataAfter = (id: string) => dataSetSchema.parse(json[json.findIndex((b) => b.id === id) + 1]);
  const oneSeller = (currency: string, deals: [string, string][], quota?: [string, string]) =>
    dataSetSchema.parse({
      payees: [{ id: 'a', name: 'A' }],
      quotas: quota ? [{ payeeId: 'a', periodId: quota[0], amount: quota[1] }] : [],
      deals: deals.map(([amount, closeDate], i) => ({
        id: `d${i}`,
        ownerId: 'a',
        amount,
        currency,
        status: 'won',
        closeDate,
      })),
    });
  const run = (id: string, data: DataSet, periodId: string) =>
    calculate({ plans: [planOf(id)], data, periodId }).payees;
  const earned = (id: string, data: DataSet, periodId: string) =>
    run(id, data, periodId).map((p) => dec(p.earnings).toFixed());

  it.each([
    ['marginal', 'USD', '140000', '13500'],
    ['retroactive', 'USD', '140000', '21000'],
    ['mixed', 'USD', '140000', '16800'],
    ['interpolated', 'EUR', '75000', '4500'],
    ['accelerator', 'DKK', '1080000', '37800'],
  ] as const)('%s: %s %s on a 100,000 (900,000 DKK) quota pays %s', (id, currency, amount, expected) => {
    const quota = currency === 'DKK' ? '900000' : '100000';
    expect(earned(id, oneSeller(currency, [[amount, '2026-08-01']], ['2026-Q3', quota]), '2026-Q3')).toEqual([
      expected,
    ]);
  });

  it('cumulative bands, pay curves, falling rates', () => {
    expect(
      earned(
        'cumulative',
        oneSeller('USD', [
          ['60000', '2026-02-01'],
          ['30000', '2026-03-01'],
        ]),
        '2026',
      ),
    ).toEqual(['1000']);
    expect(earned('pay-curve', oneSeller('USD', [['650000', '2026-05-01']]), '2026')).toEqual(['145000']);
    expect(earned('pay-curve-decelerator', oneSeller('USD', [['200000', '2026-05-01']]), '2026')).toEqual(['20000']);
    expect(earned('pay-curve-decelerator', oneSeller('USD', [['650000', '2026-05-01']]), '2026')).toEqual(['120000']);
    expect(earned('falling', oneSeller('DKK', [['12000000', '2026-08-01']]), '2026')).toEqual(['420000']);
  });

  it('splits, eligibility, settlement and currency examples', () => {
    expect(run('splits', dataAfter('splits'), '2026-Q3').map((p) => [p.payeeId, p.credited])).toEqual([
      ['anna', '240000'],
      ['bo', '160000'],
      ['sofie', '80000'],
    ]);
    expect([
      run('cash', dataAfter('cash'), '2026-Q3')[0]?.credited,
      run('cash', dataAfter('cash'), '2026-Q4')[0]?.credited,
    ]).toEqual(['60000', '40000']);
    const settled = run('settlement', dataAfter('settlement'), '2026-Q3')[0];
    expect([dec(settled?.earnings ?? '').toFixed(), dec(settled?.payable ?? '').toFixed()]).toEqual(['13100', '1100']);
    expect(run('fx', dataAfter('fx'), '2026-Q1')[0]?.credited).toBe('373050');
  });
});
