/**
 * What the card routes need from the rest of the service, as one port. The production implementation
 * (store-card-data.ts) reads the store and calls the engine's `estimate`; the routes never compute pay.
 */
import type { Deal } from '../../../src/data/schema.js';
import type { DealEstimate, PayeePeriodResult } from '../../../src/engine/types.js';
import type { SettlementStatus } from './view-models.js';

export interface WhatIf {
  amount?: string;
  closeDate?: string;
}

export interface PeriodResults {
  periodId: string;
  start: string;
  end: string;
  /** Periods the team view offers (this plan year's quarters up to the current one). */
  periods: string[];
  results: PayeePeriodResult[];
  /** When the newest of these results was published; null when nothing is calculated yet. */
  calculatedAt: Date | null;
}

export interface CardData {
  /** null: the deal is not in this tenant's store. */
  estimateDeal(
    tenantId: string,
    dealId: string,
    whatIf: WhatIf | null,
    now: Date,
  ): Promise<{ estimate: DealEstimate; calculatedAt: Date | null } | null>;
  /** For a won deal's credited payee: earned, paid, or paid but still inside the plan's clawback window. */
  settlement(
    tenantId: string,
    payeeId: string,
    deal: { id: string; periodId: string },
    now: Date,
  ): Promise<SettlementStatus>;
  /** Published results of the given payees for a period (default: the period containing `now`). */
  periodResults(
    tenantId: string,
    payeeIds: readonly string[] | 'all',
    periodId: string | undefined,
    now: Date,
  ): Promise<PeriodResults>;
  /** The open deals among `ids` (others are skipped). */
  openDeals(tenantId: string, ids: readonly string[]): Promise<Deal[]>;
  /** The payee that a HubSpot owner id maps to. */
  payeeForOwner(tenantId: string, ownerId: string): Promise<{ id: string; name: string } | null>;
}
