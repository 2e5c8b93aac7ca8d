/**
 * The view models the HubSpot cards render. The server makes them whole: every amount travels as a decimal
 * string AND as a string already formatted for the viewer's locale in the plan's currency, so a card never does
 * arithmetic or currency formatting of its own. Requests are validated with the query schemas below.
 */
import { z } from 'zod';
import { currencyCode, decimalString, isoDate, periodId } from '../../../src/data/primitives.js';

export const LOCALES = ['da', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** "da-DK", "da", "en-GB" … → the language we speak; anything else falls back to English. */
export const localeParam = z
  .string()
  .max(35)
  .optional()
  .transform((l): Locale => (l?.toLowerCase().startsWith('da') ? 'da' : 'en'));

export const moneyView = z.object({ amount: decimalString, currency: currencyCode, formatted: z.string() });
/** A ratio ("1.2") and its percentage text ("120 %"). */
export const percentView = z.object({ ratio: decimalString, formatted: z.string() });

export const freshnessView = z.object({
  calculatedAt: z.iso.datetime().nullable(),
  /** "Calculated 4 minutes ago" / "Beregnet for 4 minutter siden", or "not calculated yet". */
  formatted: z.string(),
});

export const traceStepView = z.object({ step: z.string(), rule: z.string().nullable(), text: z.string() });

export const tierView = z.object({
  label: z.string(),
  credit: moneyView,
  rate: percentView,
  multiplier: decimalString,
  payout: moneyView,
});

export const dealPayeeView = z.object({
  payeeId: z.string(),
  name: z.string(),
  isViewer: z.boolean(),
  periodId: z.string(),
  credit: moneyView,
  /** For an open deal the estimate if it closes as it stands (or at the what-if); for a won deal what it credited. */
  commission: moneyView,
  status: z.enum(['estimated', 'earned', 'paid', 'clawback-window', 'lost']),
  statusText: z.string(),
  attainmentBefore: percentView,
  attainmentAfter: percentView,
  earningsBefore: moneyView,
  earningsAfter: moneyView,
  /** The tier the deal's credit ends in (the last slice), null for plans without tiers. */
  landsInTier: z.string().nullable(),
  tiers: z.array(tierView),
  /** Tiers whose multiplier is not 1: "1.5× above 100 %". */
  accelerators: z.array(z.object({ label: z.string(), multiplier: decimalString, text: z.string() })),
  spifs: z.array(z.object({ id: z.string(), amount: moneyView, text: z.string() })),
  why: z.array(traceStepView),
});

export const dealCardView = z.object({
  dealId: z.string(),
  locale: z.enum(LOCALES),
  status: z.enum(['open', 'won', 'lost']),
  whatIf: z.object({ amount: decimalString.optional(), closeDate: isoDate.optional() }).nullable(),
  periodId: z.string().nullable(),
  payees: z.array(dealPayeeView),
  /** Why the list may be empty or partial ("This deal credits nobody on your team."). */
  notes: z.array(z.string()),
  freshness: freshnessView,
});

export const dealCardQuery = z.object({
  locale: localeParam,
  whatIfAmount: decimalString.refine((s) => !s.startsWith('-'), { message: 'must not be negative' }).optional(),
  whatIfCloseDate: isoDate.optional(),
});

export const quotaProgressView = z.object({
  payeeId: z.string(),
  name: z.string(),
  periodId: z.string(),
  quota: moneyView,
  achieved: moneyView,
  attainment: percentView,
  /** Whole percentages for the progress bar only (display; the exact ratios are above). */
  bar: z.object({ attained: z.number().int().min(0), elapsed: z.number().int().min(0).max(100) }),
  /** Share of the period's days elapsed, and whether achievement keeps pace with it. */
  timeElapsed: percentView,
  pacing: z.enum(['ahead', 'on-track', 'behind']),
  pacingText: z.string(),
  earnings: moneyView,
});

export const contactCardView = z.object({
  contactId: z.string(),
  locale: z.enum(LOCALES),
  owner: quotaProgressView.nullable(),
  openDeals: z.array(
    z.object({
      dealId: z.string(),
      name: z.string(),
      amount: moneyView,
      commission: moneyView.nullable(),
      closeDate: z.string().nullable(),
    }),
  ),
  notes: z.array(z.string()),
  freshness: freshnessView,
});

const RECORD_ID = '[A-Za-z0-9_.:-]{1,200}';

const idList = z
  .string()
  .max(4000)
  .regex(new RegExp(`^${RECORD_ID}(?:,${RECORD_ID})*$`), { message: 'must be comma-separated record ids' })
  .transform((s) => [...new Set(s.split(','))])
  .refine((ids) => ids.length <= 20, { message: 'at most 20 deals at a time' });

export const contactCardQuery = z.object({
  locale: localeParam,
  ownerId: z
    .string()
    .regex(new RegExp(`^${RECORD_ID}$`), { message: 'must be a HubSpot owner id' })
    .optional(),
  dealIds: idList.optional(),
});

export const teamRowView = z.object({
  payeeId: z.string(),
  name: z.string(),
  quota: moneyView,
  achieved: moneyView,
  attainment: percentView,
  earnings: moneyView,
});

export const teamView = z.object({
  locale: z.enum(LOCALES),
  periodId: z.string(),
  periods: z.array(z.string()),
  rows: z.array(teamRowView),
  total: z.object({ quota: moneyView, achieved: moneyView, attainment: percentView, earnings: moneyView }).nullable(),
  freshness: freshnessView,
});

export const teamQuery = z.object({ locale: localeParam, period: periodId.optional() });

export type DealCardView = z.infer<typeof dealCardView>;
export type DealPayeeView = z.infer<typeof dealPayeeView>;
export type ContactCardView = z.infer<typeof contactCardView>;
export type QuotaProgressView = z.infer<typeof quotaProgressView>;
export type TeamView = z.infer<typeof teamView>;
export type MoneyView = z.infer<typeof moneyView>;
export type PercentView = z.infer<typeof percentView>;

// Settings page (admins).

export const fieldErrorView = z.object({ path: z.string(), message: z.string() });

export const settingsView = z.object({
  locale: z.enum(LOCALES),
  plans: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      currency: z.string(),
      revision: z.number().int(),
      versions: z.array(z.object({ id: z.string(), effectiveFrom: isoDate })),
      /** The whole plan document, for the editor. */
      definition: z.looseObject({ id: z.string() }),
    }),
  ),
  /** Everyone an assignment or quota can be set for. */
  payees: z.array(z.object({ id: z.string(), name: z.string() })),
  assignments: z.array(
    z.object({ payeeId: z.string(), payeeName: z.string(), planId: z.string(), from: isoDate, to: isoDate.nullable() }),
  ),
  quotas: z.array(z.object({ payeeId: z.string(), payeeName: z.string(), periodId: z.string(), amount: moneyView })),
  connection: z.object({
    status: z.string(),
    statusText: z.string(),
    accountId: z.string().nullable(),
    lastSync: z.string().nullable(),
    lastSyncText: z.string(),
    provisioning: z.string(),
    /** Attainment records (custom object): written, unavailable on this portal's tier, or not checked yet. */
    attainmentRecords: z.enum(['written', 'unavailable', 'unknown']).optional(),
    attainmentRecordsText: z.string().optional(),
  }),
});

export const planCheckView = z.object({ ok: z.boolean(), errors: z.array(fieldErrorView) });

export const planPreviewView = z.object({
  periodId: z.string(),
  rows: z.array(
    z.object({ payeeId: z.string(), name: z.string(), current: moneyView, proposed: moneyView, difference: moneyView }),
  ),
  total: z.object({ current: moneyView, proposed: moneyView, difference: moneyView }).nullable(),
});

export const publishView = z.object({
  planId: z.string(),
  revision: z.number().int(),
  versionId: z.string(),
  effectiveFrom: isoDate,
  recalcRunId: z.string().nullable(),
});

export type SettingsView = z.infer<typeof settingsView>;
export type PlanCheckView = z.infer<typeof planCheckView>;
export type PlanPreviewView = z.infer<typeof planPreviewView>;
export type PublishView = z.infer<typeof publishView>;
