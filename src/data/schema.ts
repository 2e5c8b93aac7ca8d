import { z } from 'zod';
import {
  currencyCode,
  decimalString,
  id,
  isoDate,
  nonNegativeDecimalString,
  periodId,
  unitIntervalString,
} from './primitives.js';

/**
 * The records the engine calculates from. One schema serves the `attain calc --data` file, the service's
 * import endpoint and the CRM adapters' output, so every path into the engine validates the same way.
 * Money and ratios are decimal strings; dates are YYYY-MM-DD.
 */

export const payeeSchema = z.object({
  id,
  name: z.string().min(1),
  email: z.email().optional(),
  /** Whom this payee reports to; drives manager roll-ups and the manager's view. */
  managerId: id.nullable().optional(),
  teamId: id.nullable().optional(),
  /** Hire date: ramps and proration count from here. */
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
  /** CRM identities, so CRM records map to the payee (HubSpot owner id ≠ user id). */
  crm: z
    .object({
      hubspotOwnerId: z.string().optional(),
      hubspotUserId: z.string().optional(),
      salesforceUserId: z.string().optional(),
    })
    .optional(),
});

export const teamSchema = z.object({
  id,
  name: z.string().min(1),
  managerId: id.nullable().optional(),
  parentTeamId: id.nullable().optional(),
});

export const quotaSchema = z.object({
  payeeId: id,
  periodId,
  amount: nonNegativeDecimalString,
  /** The plan component (measure) this quota is for; omitted = the plan's primary measure. */
  componentId: id.optional(),
});

export const splitSchema = z.object({
  payeeId: id,
  /** Share of the deal's credit, "0.6" = 60 %. Revenue splits of one deal must total exactly 1. */
  share: unitIntervalString,
  /** revenue: shares of one whole (total 100 %); overlay: extra credit on top (e.g. a specialist), not counted in the total. */
  type: z.enum(['revenue', 'overlay']).default('revenue'),
});

export const dealLineItemSchema = z.object({
  product: z.string().min(1),
  quantity: nonNegativeDecimalString.default('1'),
  amount: decimalString,
});

export const dealSchema = z.object({
  id,
  name: z.string().optional(),
  /** The deal owner (payee id). Null is allowed in the data but reported as a data-quality warning. */
  ownerId: id.nullable(),
  amount: decimalString,
  currency: currencyCode,
  status: z.enum(['open', 'won', 'lost']),
  /** The close date credits the deal to a period. */
  closeDate: isoDate.nullable(),
  createdDate: isoDate.optional(),
  /** Win probability 0..1 for open deals (forecasting). */
  probability: unitIntervalString.optional(),
  pipeline: z.string().optional(),
  stage: z.string().optional(),
  dealType: z.string().optional(),
  /** The customer (account/company) — lifetime-per-customer caps and territory rules key on it. */
  customerId: z.string().optional(),
  lineItems: z.array(dealLineItemSchema).optional(),
  /** Units sold, for count/unit-based tiers and SPIFs; defaults to 1 deal. */
  units: nonNegativeDecimalString.optional(),
  /** Eligibility: how much has been invoiced and paid by the customer (and when), for invoiced/cash-received plans. */
  invoiced: z.array(z.object({ date: isoDate, amount: decimalString })).optional(),
  cashReceived: z.array(z.object({ date: isoDate, amount: decimalString })).optional(),
  /** Cancellation/churn date: clawbacks are measured from close to this date. */
  cancelledDate: isoDate.nullable().optional(),
  splits: z.array(splitSchema).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

/** What has been paid out already; settlement pays earned-to-date minus paid-to-date. */
export const paymentSchema = z.object({
  payeeId: id,
  periodId,
  amount: decimalString,
  paidOn: isoDate.optional(),
  reference: z.string().optional(),
});

export const fxRateSchema = z.object({
  from: currencyCode,
  to: currencyCode,
  date: isoDate,
  rate: nonNegativeDecimalString,
});

/** Which plan a payee is on, effective-dated. Without assignments every payee is on the plan given. */
export const assignmentSchema = z.object({
  payeeId: id,
  planId: id,
  from: isoDate,
  to: isoDate.nullable().optional(),
});

export const dataSetSchema = z.object({
  payees: z.array(payeeSchema),
  teams: z.array(teamSchema).default([]),
  quotas: z.array(quotaSchema).default([]),
  deals: z.array(dealSchema).default([]),
  payments: z.array(paymentSchema).default([]),
  fxRates: z.array(fxRateSchema).default([]),
  assignments: z.array(assignmentSchema).default([]),
});

export type Payee = z.infer<typeof payeeSchema>;
export type Team = z.infer<typeof teamSchema>;
export type Quota = z.infer<typeof quotaSchema>;
export type Split = z.infer<typeof splitSchema>;
export type Deal = z.infer<typeof dealSchema>;
export type Payment = z.infer<typeof paymentSchema>;
export type Assignment = z.infer<typeof assignmentSchema>;
export type DataSet = z.infer<typeof dataSetSchema>;
export type DataSetInput = z.input<typeof dataSetSchema>;
