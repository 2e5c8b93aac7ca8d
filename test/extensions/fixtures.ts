/**
 * View models for the card tests, made by the server's own builders (so the formatted strings are the real
 * ones). The estimate below is the reference scenario's: Anna's Q3 2026 deal D-2026-024 (150,000 DKK) seen on
 * 2026-09-15, while still open — it lifts her from 930,000 to 1,080,000 of a 900,000 quota (103.3 % → 120 %)
 * and pays 150,000 × 4 % × 1.5 = 9,000 DKK in the accelerated tier.
 */
import type { DealEstimate, PayeePeriodResult } from '../../src/engine/types.js';
import type { Locale } from '../../server/http/cards/schemas.js';
import { contactCardView, dealCardView, quotaProgress, teamView } from '../../server/http/cards/view-models.js';

export const NOW = new Date('2026-09-15T10:00:00Z');
export const CALCULATED_AT = new Date('2026-09-15T09:56:00Z');

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export const annaEstimate: DealEstimate = {
  dealId: 'D-2026-024',
  status: 'open',
  whatIf: null,
  periodId: '2026-Q3',
  warnings: [],
  payees: [
    {
      payeeId: 'anna',
      name: 'Anna Jensen',
      periodId: '2026-Q3',
      currency: 'DKK',
      credit: '150000',
      commission: '9000.00',
      before: { credited: '930000', attainment: '1.0333333333', earnings: '28800.00' },
      after: { credited: '1080000', attainment: '1.2', earnings: '37800.00' },
      tiers: [
        {
          tierIndex: 2,
          label: '≥ 100 % (accelerator 1.5×)',
          from: '1',
          to: null,
          inTier: '0.1666666667',
          creditInTier: '150000',
          rate: '0.04',
          multiplier: '1.5',
          payout: '9000.00',
        },
      ],
      lines: [
        {
          id: 'anna:2026-Q3:new-business:D-2026-024',
          payeeId: 'anna',
          periodId: '2026-Q3',
          kind: 'commission',
          componentId: 'new-business',
          dealId: 'D-2026-024',
          credit: '150000',
          amount: '9000.00',
          trace: [
            { step: 'credit', text: 'D-2026-024 credits Anna Jensen 150,000 DKK (owner, 100 %).' },
            { step: 'tier', rule: 'tiers.application=marginal', text: '150,000 lands in tier ≥ 100 % at 4 % × 1.5.' },
          ],
        },
      ],
    },
  ],
};

export function annaDealView(locale: Locale, estimate: DealEstimate = annaEstimate) {
  return dealCardView({
    estimate,
    locale,
    viewerPayeeId: 'anna',
    canSee: () => true,
    settlement: () => 'earned',
    calculatedAt: CALCULATED_AT,
    now: NOW,
  });
}

/** The same deal as a what-if at 300,000: credit 300,000 in the 1.5× tier → 18,000. */
export const annaWhatIf: DealEstimate = {
  ...annaEstimate,
  whatIf: { amount: '300000' },
  payees: annaEstimate.payees.map((p) => ({
    ...p,
    credit: '300000',
    commission: '18000.00',
    after: { credited: '1230000', attainment: '1.3666666667', earnings: '46800.00' },
    tiers: p.tiers.map((t) => ({ ...t, creditInTier: '300000', payout: '18000.00' })),
  })),
};

const result = (
  payeeId: string,
  name: string,
  credited: string,
  attainment: string,
  earnings: string,
): PayeePeriodResult => ({
  payeeId,
  name,
  periodId: '2026-Q3',
  planId: 'nordic-sales-2026',
  planVersion: '2026-v1',
  currency: 'DKK',
  quota: '900000',
  credited,
  attainment,
  earnings,
  components: [],
  lines: [],
  earnedToDate: earnings,
  paidToDate: '0',
  payable: earnings,
});

export const teamResults = [
  result('anna', 'Anna Jensen', '1080000', '1.2', '37800.00'),
  result('bo', 'Bo Nielsen', '810000', '0.9', '25200.00'),
  result('camilla', 'Camilla Hansen', '630000', '0.7', '18000.00'),
];

export function teamViewFor(locale: Locale, results = teamResults) {
  return teamView({
    results,
    periodId: '2026-Q3',
    periods: ['2026-Q1', '2026-Q2', '2026-Q3'],
    locale,
    calculatedAt: CALCULATED_AT,
    now: NOW,
  });
}

export function contactViewFor(locale: Locale, withDeals = true) {
  return contactCardView({
    contactId: '501',
    locale,
    owner: quotaProgress(teamResults[0]!, { start: '2026-07-01', end: '2026-09-30' }, '2026-09-15', locale),
    ownerNote: null,
    deals: withDeals
      ? [
          {
            dealId: 'D-2026-024',
            name: 'Lego – Attain Platform licence',
            amount: '150000',
            currency: 'DKK',
            closeDate: '2026-09-22',
            commission: { amount: '9000.00', currency: 'DKK' },
          },
        ]
      : [],
    calculatedAt: CALCULATED_AT,
    now: NOW,
  });
}

/**
 * Polls `check` until it passes. The renderer's own waitFor re-runs checks on remote-DOM mutations, but
 * `findByTestId` inside such a re-check does not see the new tree (0.17.0), so tests poll instead.
 */
export async function eventually(check: () => void, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Lets React commit state from one user event before the next (each is its own event in HubSpot too). */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
