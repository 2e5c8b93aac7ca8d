/**
 * Dirty set → recalculation → write-back, for one tenant. Recalculates the marked (payee, fiscal year)
 * partitions through the calculation service (published atomically), derives each affected deal's values
 * from the published owner statements (and the owner's estimate for open deals, open-deal-estimates.ts),
 * writes the differences back, and only then clears the marks it read.
 * Anything that fails leaves the marks (and the outbox) in place for the next run or the sweep.
 */
import { recalculatePartitions, type RecalcResult } from '../calc/recalculate.js';
import type { CalcEngine } from '../calc/engine-port.js';
import type { CrmConnector } from '../crm/port.js';
import { readPublishedResults } from '../store/repos/results.js';
import { listDeals, listPlans, type Db } from '../store/index.js';
import type { Deal } from '../../src/data/index.js';
import type { PayeePeriodResult } from '../../src/engine/types.js';
import { fiscalYearOf } from '../../src/time/index.js';
import { clearDirty, readDirty } from '../sync/dirty.js';
import { domainEngine } from '../calc/engine.js';
import { creditPeriodOf, creditPeriodRule, dealValues, resultKey, type DealValues } from './deal-results.js';
import {
  estimateCloseDate,
  estimatePeriodsAhead,
  estimateWindow,
  listOpenDeals,
  openDealEstimates,
  recordWindow,
  windowMoved,
  type EstimateWindow,
} from './open-deal-estimates.js';
import { writeBackDeals, type WriteBackReport } from './writeback.js';
import { writeAttainmentRecords, type AttainmentReport } from './attainment-records.js';

export interface PublishOptions {
  db: Db;
  tenantId: string;
  /** With `capabilities` the attainment records are written too (custom objects) or reported unavailable. */
  connector: Pick<CrmConnector, 'checkProperties' | 'writeDealProperties' | 'writeAttainmentRecords'> &
    Partial<Pick<CrmConnector, 'capabilities'>>;
  now: () => Date;
  engine?: CalcEngine;
  afterBatch?: (batch: { sent: number; ok: number }) => Promise<void> | void;
}

export interface PublishReport {
  recalculation: RecalcResult | null;
  dealsConsidered: number;
  writeBack: WriteBackReport;
  /** Null when no partition was recalculated or the connector cannot tell its capabilities. */
  attainmentRecords: AttainmentReport | null;
}

/**
 * Values for the given deals from the published statements of their owners, and the owners' estimates for
 * the open deals among them that fall in the estimate window (none when `window` is null).
 */
export async function desiredValues(
  db: Db,
  tenantId: string,
  deals: readonly Deal[],
  window: EstimateWindow | null = null,
): Promise<Map<string, DealValues>> {
  const rule = creditPeriodRule((await listPlans(db, tenantId)).map((r) => r.plan));
  const estimates = window ? await openDealEstimates(db, tenantId, deals, window) : new Map<string, string>();
  const owners = new Map<string, Set<string>>();
  for (const d of deals) {
    const period = creditPeriodOf(d, rule);
    if (d.ownerId && period) (owners.get(period) ?? owners.set(period, new Set()).get(period)!).add(d.ownerId);
  }
  const results = new Map<string, PayeePeriodResult>();
  for (const [periodId, ids] of owners) {
    for (const r of await readPublishedResults(db, tenantId, { periodId, payeeIds: [...ids] }))
      results.set(resultKey(r.payeeId, r.periodId), r);
  }
  return new Map(deals.map((d) => [d.id, dealValues(d, rule, results, estimates)]));
}

export async function publishDirty(options: PublishOptions): Promise<PublishReport> {
  const { db, tenantId } = options;
  const engine = options.engine ?? domainEngine;
  const dirty = await readDirty(db, tenantId);
  let recalculation: RecalcResult | null = null;
  if (dirty.partitions.length > 0) {
    recalculation = await recalculatePartitions(db, tenantId, dirty.partitions, {
      now: options.now(),
      actor: 'hubspot-sync',
      engine,
    });
  }

  const plans = (await listPlans(db, tenantId)).map((r) => r.plan);
  const periodsAhead = await estimatePeriodsAhead(db, tenantId);
  const asOf = options.now().toISOString().slice(0, 10);
  const window = periodsAhead === null ? null : estimateWindow(asOf, creditPeriodRule(plans), periodsAhead);
  const moved = await windowMoved(db, tenantId, window);

  // The deals whose values can have changed: the marked ones, every deal of a recalculated partition (an open
  // deal belongs to the partition of the date it is estimated to close on), and every open deal when the
  // estimate window moved.
  const byId = new Map<string, Deal>();
  const wantedDeals = new Set(dirty.dealIds);
  const partitionKeys = new Set(dirty.partitions.map((p) => `${p.payeeId}\u0000${p.year}`));
  const payeeIds = [...new Set(dirty.partitions.map((p) => p.payeeId))];
  const calendar = plans[0]?.calendar;
  if (payeeIds.length > 0 || wantedDeals.size > 0) {
    const candidates = payeeIds.length > 0 ? await listDeals(db, tenantId, { payeeIds }) : [];
    for (const d of candidates) {
      const date = d.status === 'open' ? estimateCloseDate(d, asOf) : d.closeDate;
      const year = date && calendar ? String(fiscalYearOf(date, calendar)) : date?.slice(0, 4);
      if (d.ownerId && year && partitionKeys.has(`${d.ownerId}\u0000${year}`)) byId.set(d.id, d);
    }
    const missing = [...wantedDeals].filter((id) => !byId.has(id));
    if (missing.length > 0) for (const d of await listDealsById(db, tenantId, missing)) byId.set(d.id, d);
  }
  if (moved) for (const d of await listOpenDeals(db, tenantId)) byId.set(d.id, d);
  const desired = await desiredValues(db, tenantId, [...byId.values()], window);
  const writeBack = await writeBackDeals(
    {
      db,
      tenantId,
      connector: options.connector,
      now: options.now,
      ...(options.afterBatch ? { afterBatch: options.afterBatch } : {}),
    },
    desired,
  );
  const attainmentRecords =
    writeBack.problems.length === 0 && dirty.partitions.length > 0
      ? await writeAttainmentRecords(options, dirty.partitions)
      : null;
  // Property problems: nothing was written, keep the marks so the write happens once they are fixed. The same
  // for attainment records that may still go through: the next run recalculates and retries them.
  if (writeBack.problems.length === 0 && !attainmentRecords?.failed.some((f) => f.retryable)) {
    await clearDirty(db, tenantId, dirty);
    if (moved) await recordWindow(db, tenantId, window, options.now());
  }
  return { recalculation, dealsConsidered: byId.size, writeBack, attainmentRecords };
}

async function listDealsById(db: Db, tenantId: string, ids: readonly string[]): Promise<Deal[]> {
  const rows = await db
    .selectFrom('deals')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((r) => r.data as unknown as Deal);
}
