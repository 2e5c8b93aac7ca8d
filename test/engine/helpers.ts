import { dataSetSchema, type DataSet, type DataSetInput } from '../../src/data/index.js';
import { planSchema, type Plan, type PlanInput } from '../../src/plan/index.js';
import { calculate } from '../../src/engine/index.js';
import type { CalculationResult, PayeePeriodResult } from '../../src/engine/types.js';

type ComponentInput = PlanInput['versions'][number]['components'][number];
type VersionInput = PlanInput['versions'][number];

/** A one-version plan in DKK on the calendar year, with the given components and version extras. */
export function plan(
  components: ComponentInput[],
  extra: Partial<VersionInput> = {},
  top: Partial<PlanInput> = {},
): Plan {
  return planSchema.parse({
    id: 'plan',
    name: 'Plan',
    currency: 'DKK',
    versions: [{ id: 'v1', effectiveFrom: '2020-01-01', components, ...extra }],
    ...top,
  });
}

export function data(input: DataSetInput): DataSet {
  return dataSetSchema.parse(input);
}

export function payees(...ids: string[]): DataSetInput['payees'] {
  return ids.map((id) => ({ id, name: id }));
}

type DealInput = NonNullable<DataSetInput['deals']>[number];

let seq = 0;
export function deal(
  ownerId: string | null,
  amount: string,
  closeDate: string | null,
  extra: Partial<DealInput> = {},
): DealInput {
  seq++;
  return {
    id: `d${String(seq).padStart(5, '0')}`,
    ownerId,
    amount,
    currency: 'DKK',
    status: 'won',
    closeDate,
    ...extra,
  };
}

export function run(p: Plan | Plan[], d: DataSet, periodId: string, asOf?: string): CalculationResult {
  return calculate({ plans: p, data: d, periodId, ...(asOf ? { asOf } : {}) });
}

export function payee(r: CalculationResult, id: string): PayeePeriodResult {
  const p = r.payees.find((x) => x.payeeId === id);
  if (!p) throw new Error(`no payee ${id}`);
  return p;
}

export function sumLines(p: PayeePeriodResult, kind?: string): string {
  let t = 0n;
  let scale = 0;
  const parts = p.lines.filter((l) => kind === undefined || l.kind === kind).map((l) => l.amount);
  for (const a of parts) scale = Math.max(scale, (a.split('.')[1] ?? '').length);
  for (const a of parts) {
    const [i, f = ''] = a.replace('-', '').split('.');
    const v = BigInt(i + f.padEnd(scale, '0'));
    t += a.startsWith('-') ? -v : v;
  }
  const neg = t < 0n;
  const str = (neg ? -t : t).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? str : `${str.slice(0, -scale)}.${str.slice(-scale)}`;
  return (neg ? '-' : '') + out;
}
