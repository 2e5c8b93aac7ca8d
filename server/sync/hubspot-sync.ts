/**
 * Incremental, checkpointed sync of one tenant's HubSpot portal into the store.
 *
 * Streams: owners → payees (payee id = HubSpot owner id; the user id is kept beside it), teams, pipelines
 * (snapshot kept for the settings status), deals by hs_lastmodifieddate with their splits and contacts, and
 * HubSpot goals as quotas when the tenant chose that source.
 *
 * Each page of deals is stored in ONE transaction together with its checkpoint and the dirty marks of what it
 * changed: a crash mid-sync resumes at the last committed page (re-reading at most that page's boundary
 * stamp) and never loses a change that was stored but not yet recalculated. Deals whose engine inputs hash
 * is unchanged — our own write-back bumps hs_lastmodifieddate — are not marked, so they are never recomputed.
 */
import type { Deal, Quota } from '../../src/data/index.js';
import {
  CALENDAR_YEAR,
  fiscalYearOf,
  periodsOfYear,
  type FiscalCalendar,
  type PeriodKind,
} from '../../src/time/index.js';
import type { CrmConnector, RecordProblem } from '../crm/port.js';
import {
  getSyncCheckpoint,
  getTenant,
  listPayees,
  listPlans,
  listQuotas,
  saveSyncCheckpoint,
  upsertDeals,
  upsertPayees,
  upsertQuotas,
  upsertTeams,
  type Db,
  type Store,
} from '../store/index.js';
import { loadCalcInputs } from '../calc/load-inputs.js';
import type { CalcEngine } from '../calc/engine-port.js';
import { Decimal } from '../../src/money/index.js';
import { markDirty, replaceDealContacts, type PartitionKey } from './dirty.js';
import { domainEngine } from '../calc/engine.js';

export const CRM = 'hubspot';

/** Tenant settings (tenants.settings.hubspot) that steer the sync. */
export interface HubSpotSyncSettings {
  /** 'goals': quotas come from HubSpot goals; 'attain' (default): Attain owns quotas. */
  quotaSource?: 'goals' | 'attain';
  /** Only goals with this name count as quotas (all user goals when absent). */
  goalName?: string;
  /** The period kind goals are read for (default quarter). */
  goalPeriod?: PeriodKind;
  /** Read deal → contact associations (the contact card needs them); default true. */
  contacts?: boolean;
  /**
   * Open deals closing this many periods after the current one still get an estimated commission (default 1;
   * null: none). Read and validated by server/writeback/open-deal-estimates.ts.
   */
  estimatePeriodsAhead?: number | null;
}

export interface SyncProgress {
  stream: 'owners' | 'pipelines' | 'deals' | 'goals';
  dealsRead: number;
  checkpoint?: string;
}

export interface SyncOptions {
  store: Pick<Store, 'db'>;
  tenantId: string;
  connector: CrmConnector;
  now: () => Date;
  /** Names the partitions a deal change touches (default: the domain engine, server/calc/engine.ts). */
  engine?: CalcEngine;
  onProgress?: (p: SyncProgress) => void;
  /** Called after each committed page (tests stop a sync half-way through it). */
  afterPage?: (page: { deals: number; checkpoint: string }) => Promise<void> | void;
}

export interface SyncReport {
  payees: number;
  teams: number;
  pipelines: number;
  dealsRead: number;
  dealsChanged: number;
  quotasChanged: number;
  /** Where the deal stream started (null: the very first sync, everything read). */
  resumedFrom: string | null;
  checkpoint: string | null;
  problems: RecordProblem[];
}

export async function syncSettings(db: Db, tenantId: string): Promise<HubSpotSyncSettings> {
  const tenant = await getTenant(db, tenantId);
  const raw = tenant?.settings['hubspot'];
  return raw && typeof raw === 'object' ? (raw as HubSpotSyncSettings) : {};
}

export async function syncHubSpot(options: SyncOptions): Promise<SyncReport> {
  const { store, tenantId, connector, now } = options;
  const engine = options.engine ?? domainEngine;
  const db = store.db;
  const settings = await syncSettings(db, tenantId);
  const caps = await connector.capabilities();
  const problems: RecordProblem[] = [];

  // Owners and teams: small, read whole every time. Attain-side fields HubSpot does not know (manager,
  // start/end dates) are kept from the stored payee.
  options.onProgress?.({ stream: 'owners', dealsRead: 0 });
  const { payees, problems: ownerProblems } = await connector.listPayees();
  problems.push(...ownerProblems);
  const teams = await connector.listTeams();
  const known = new Map((await listPayees(db, tenantId)).map((p) => [p.id, p]));
  const merged = payees.map((p) => {
    const old = known.get(p.id);
    if (!old) return p;
    return {
      ...p,
      ...(old.managerId ? { managerId: old.managerId } : {}),
      ...(old.startDate ? { startDate: old.startDate } : {}),
      ...(old.endDate ? { endDate: old.endDate } : {}),
      teamId: p.teamId ?? old.teamId ?? null,
    };
  });
  await upsertTeams(db, tenantId, teams);
  await upsertPayees(db, tenantId, merged);

  options.onProgress?.({ stream: 'pipelines', dealsRead: 0 });
  const pipelines = await connector.listPipelines();
  await saveSyncCheckpoint(db, tenantId, CRM, 'pipelines', { pipelines, readAt: now().toISOString() }, now());

  // Deals, page by page from the checkpoint.
  const cursor = await getSyncCheckpoint(db, tenantId, CRM, 'deals');
  const since = typeof cursor?.['since'] === 'string' ? cursor['since'] : undefined;
  let checkpoint: string | null = since ?? null;
  let dealsRead = 0;
  let dealsChanged = 0;
  const closeYears = new Set<number>();
  const calendar = await calendarOf(db, tenantId);
  // What the engine needs to name touched partitions (plans, payees, quotas): read once, deals not needed.
  const inputs = await loadCalcInputs(db, tenantId, { deals: false });
  // One page is fetched ahead while the previous one is stored: the search budget, not the database, sets the pace.
  const pages = connector.searchDealsModifiedSince(since);
  // A page fetched ahead of a failure must not become an unhandled rejection.
  const ahead = () => {
    const p = pages.next();
    p.catch(() => undefined);
    return p;
  };
  let next = ahead();
  for (;;) {
    const current = await next;
    if (current.done) break;
    next = ahead();
    const page = current.value;
    problems.push(...page.problems);
    const ids = page.deals.map((d) => d.id);
    let deals: Deal[] = page.deals;
    if (caps.dealSplits && ids.length > 0) {
      const read = await connector.readSplits(ids);
      problems.push(...read.problems);
      deals = deals.map((d) => {
        const splits = read.splits[d.id];
        return splits && splits.length > 0 ? { ...d, splits } : d;
      });
    }
    const contacts = settings.contacts !== false && ids.length > 0 ? await connector.readDealContacts(ids) : null;
    for (const d of deals) if (d.closeDate) closeYears.add(fiscalYearOf(d.closeDate, calendar));
    await db.transaction().execute(async (trx) => {
      const changes = await upsertDeals(trx, tenantId, deals);
      dealsChanged += changes.length;
      if (changes.length > 0) {
        const partitions = changes.flatMap((c) => engine.touchedPartitions(inputs, c.before, c.after));
        await markDirty(trx, tenantId, { dealIds: changes.map((c) => c.after.id), partitions });
      }
      if (contacts) await replaceDealContacts(trx, tenantId, contacts);
      await saveSyncCheckpoint(trx, tenantId, CRM, 'deals', { since: page.checkpoint }, now());
    });
    checkpoint = page.checkpoint;
    dealsRead += page.deals.length;
    options.onProgress?.({ stream: 'deals', dealsRead, checkpoint });
    await options.afterPage?.({ deals: page.deals.length, checkpoint });
  }

  let quotasChanged = 0;
  if (settings.quotaSource === 'goals') {
    options.onProgress?.({ stream: 'goals', dealsRead });
    quotasChanged = await syncGoals(db, tenantId, connector, settings, calendar, closeYears, now, problems);
  }
  return {
    payees: merged.length,
    teams: teams.length,
    pipelines: pipelines.length,
    dealsRead,
    dealsChanged,
    quotasChanged,
    resumedFrom: since ?? null,
    checkpoint,
    problems,
  };
}

async function calendarOf(db: Db, tenantId: string): Promise<FiscalCalendar> {
  const plan = (await listPlans(db, tenantId))[0]?.plan;
  if (plan?.calendar) return plan.calendar;
  const tenant = await getTenant(db, tenantId);
  return tenant ? { fiscalYearStartMonth: tenant.fiscalYearStartMonth } : CALENDAR_YEAR;
}

/** Goals of every period of the years in play (this year and the years deals close in) → quotas. */
async function syncGoals(
  db: Db,
  tenantId: string,
  connector: CrmConnector,
  settings: HubSpotSyncSettings,
  calendar: FiscalCalendar,
  closeYears: Set<number>,
  now: () => Date,
  problems: RecordProblem[],
): Promise<number> {
  const stored = await listQuotas(db, tenantId);
  for (const q of stored) closeYears.add(Number(q.periodId.slice(0, 4)));
  closeYears.add(fiscalYearOf(now().toISOString().slice(0, 10), calendar));
  const current = new Map(stored.map((q) => [`${q.payeeId}\u0000${q.periodId}\u0000${q.componentId ?? ''}`, q.amount]));
  const changed: Quota[] = [];
  for (const year of [...closeYears].sort()) {
    for (const period of periodsOfYear(year, settings.goalPeriod ?? 'quarter', calendar)) {
      const end = new Date(Date.parse(`${period.end}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const read = await connector.readGoals({
        periodId: period.id,
        start: period.start,
        end,
        ...(settings.goalName ? { goalName: settings.goalName } : {}),
      });
      problems.push(...read.problems);
      for (const q of read.quotas) {
        const old = current.get(`${q.payeeId}\u0000${q.periodId}\u0000${q.componentId ?? ''}`);
        if (old === undefined || !sameDecimal(old, q.amount)) changed.push(q);
      }
    }
  }
  if (changed.length > 0) {
    await db.transaction().execute(async (trx) => {
      await upsertQuotas(trx, tenantId, changed);
      const partitions: PartitionKey[] = changed.map((q) => ({ payeeId: q.payeeId, year: q.periodId.slice(0, 4) }));
      await markDirty(trx, tenantId, { partitions });
    });
  }
  return changed.length;
}

function sameDecimal(a: string, b: string): boolean {
  return new Decimal(a).equals(b);
}
