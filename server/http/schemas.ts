/** Request pieces and response view models shared by the API routes (they also feed the OpenAPI document). */
import { z } from 'zod';
import { id, periodId } from '../../src/data/index.js';

const money = z
  .string()
  .meta({ description: 'Decimal string in the plan currency, e.g. "1080000.00"', example: '1080000.00' });
const ratio = z.string().meta({ description: 'Decimal ratio, "1.2" = 120 %', example: '1.2' });

export const periodQuery = z.strictObject({
  period: periodId.meta({ description: 'Period id: "2026", "2026-Q3" or "2026-07"', example: '2026-Q3' }),
});

export const payeeIdParams = z.strictObject({ payeeId: id });
export const teamIdParams = z.strictObject({ teamId: id });
export const planIdParams = z.strictObject({ planId: id });

export const payeeView = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    managerId: z.string().nullable(),
    teamId: z.string().nullable(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
  })
  .meta({ id: 'Payee' });

export const teamView = z
  .object({ id: z.string(), name: z.string(), managerId: z.string().nullable(), parentTeamId: z.string().nullable() })
  .meta({ id: 'Team' });

export const sellerRow = z
  .object({
    payeeId: z.string(),
    name: z.string(),
    quota: money.nullable(),
    achieved: money.nullable(),
    attainment: ratio.nullable(),
    earnings: money.nullable(),
    calculated: z.boolean().meta({ description: 'false: no published calculation covers this payee and period yet' }),
  })
  .meta({ id: 'SellerAttainment' });

export const teamAttainmentView = z
  .object({
    teamId: z.string(),
    teamName: z.string(),
    periodId: z.string(),
    sellers: z.array(sellerRow),
    totals: z.object({
      quota: money,
      achieved: money,
      attainment: ratio.meta({ description: 'sum achieved / sum quota (never the mean of percentages)' }),
      earnings: money,
    }),
  })
  .meta({ id: 'TeamAttainment' });

const traceStep = z.object({
  step: z.string(),
  rule: z.string().optional(),
  text: z.string(),
  values: z.record(z.string(), z.string().nullable()).optional(),
});
const tierSlice = z.object({
  tierIndex: z.number().int(),
  label: z.string(),
  from: z.string(),
  to: z.string().nullable(),
  inTier: z.string(),
  creditInTier: z.string(),
  rate: z.string(),
  multiplier: z.string(),
  payout: z.string(),
});
export const payoutLineView = z
  .object({
    id: z.string(),
    payeeId: z.string(),
    periodId: z.string(),
    kind: z.string(),
    componentId: z.string().optional(),
    dealId: z.string().optional(),
    credit: money.optional(),
    amount: money,
    tiers: z.array(tierSlice).optional(),
    trace: z.array(traceStep),
  })
  .meta({ id: 'PayoutLine' });

export const payeeSummaryView = z
  .object({
    payeeId: z.string(),
    name: z.string(),
    periodId: z.string(),
    runId: z.string().nullable(),
    publishedAt: z.string().nullable(),
    result: z
      .object({
        currency: z.string(),
        planId: z.string().nullable(),
        planVersion: z.string().nullable(),
        quota: money,
        credited: money,
        attainment: ratio,
        earnings: money,
        earnedToDate: money,
        paidToDate: money,
        payable: money,
        components: z.array(
          z.object({
            componentId: z.string(),
            name: z.string(),
            quota: money,
            credited: money,
            attainment: ratio,
            earnings: money,
          }),
        ),
        lines: z.array(payoutLineView),
      })
      .nullable()
      .meta({ description: 'null until a calculation covering this period is published' }),
  })
  .meta({ id: 'PayeeSummary' });

export const auditedChange = z.object({ ok: z.literal(true) });
