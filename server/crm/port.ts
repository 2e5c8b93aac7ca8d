/**
 * The one port every CRM adapter implements (HubSpot now, Salesforce next). Sync, webhooks and write-back
 * talk to a CRM only through this interface, and everything crossing it is already a validated domain record
 * (src/data) or plain data describing a problem. Adapters own rate limits, retries and the CRM's shapes.
 */
import type { Deal, Payee, Quota, Split, Team } from '../../src/data/index.js';

/** A record the CRM returned that could not be turned into a domain record; reported, never thrown. */
export interface RecordProblem {
  objectType: 'deal' | 'owner' | 'split' | 'goal' | 'association';
  id: string;
  /** Field-level messages, e.g. `amount: must be a decimal string …`. */
  messages: string[];
}

export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  isClosed: boolean;
  isWon: boolean;
  /** Win probability as a decimal string between 0 and 1, when the CRM gives one. */
  probability: string | null;
}

export interface Pipeline {
  id: string;
  label: string;
  stages: PipelineStage[];
}

/** One page of an incremental deal read. */
export interface DealPage {
  deals: Deal[];
  problems: RecordProblem[];
  /**
   * Safe resume point (ISO instant) after this page has been processed: every change before it has been
   * yielded. Resuming with `since = checkpoint` re-reads at most the records stamped exactly at it.
   */
  checkpoint: string;
  /** CRM last-modified time per deal id, for echo suppression in sync. */
  modifiedAt: Record<string, string>;
}

export interface DealRead {
  deals: Deal[];
  problems: RecordProblem[];
  /** Ids the CRM does not know (deleted or never existed). */
  missing: string[];
  modifiedAt: Record<string, string>;
}

export interface SplitRead {
  /** Revenue splits per deal id; a deal without splits maps to an empty list, an unknown deal is left out. */
  splits: Record<string, Split[]>;
  problems: RecordProblem[];
}

export interface GoalQuery {
  periodId: string;
  /** First day of the period and first day after it (YYYY-MM-DD); the caller's fiscal calendar decides. */
  start: string;
  end: string;
  /** Only goals with this name (the tenant's chosen revenue goal); all user goals when omitted. */
  goalName?: string;
}

export interface GoalRead {
  quotas: Quota[];
  problems: RecordProblem[];
}

/** The result fields Attain writes back onto deals. Keys are the logical names; adapters map them. */
export type ResultField =
  | 'estimatedCommission'
  | 'earnedCommission'
  | 'creditedAmount'
  | 'commissionPeriod'
  | 'tierReached'
  | 'ownerAttainment'
  | 'lastCalculatedAt';

export interface DealWrite {
  dealId: string;
  /** Decimal strings for money and ratios, ISO instants for times, plain text otherwise; null clears. */
  values: Partial<Record<ResultField, string | null>>;
}

export type WriteResult =
  | { dealId: string; ok: true; /** The CRM's new last-modified time (echo suppression). */ modifiedAt: string | null }
  | { dealId: string; ok: false; retryable: boolean; category: string; message: string };

export interface PropertyProblem {
  property: string;
  problem: 'missing' | 'read-only' | 'wrong-type' | 'archived' | 'calculated';
  message: string;
}

export interface ProvisioningReport {
  groupCreated: boolean;
  created: string[];
  existing: string[];
  problems: PropertyProblem[];
}

export interface Capabilities {
  customObjects: boolean;
  dealSplits: boolean;
  multiCurrency: boolean;
  homeCurrency: string;
  /** Time zone the CRM's dates are interpreted in when they are cut to calendar days. */
  timeZone: string;
}

/**
 * One payee's figures for one published period, as written to the CRM's attainment object (custom objects only).
 * Decimal strings; `attainment` is in percent, rounded like the deal's ownerAttainment ('120.00').
 */
export interface AttainmentRecord {
  payeeId: string;
  payeeName: string;
  periodId: string;
  currency: string;
  quota: string;
  credited: string;
  attainment: string;
  earnings: string;
}

/** Per record, keyed like the CRM's unique property: `<payeeId>:<periodId>`. */
export type AttainmentWriteResult =
  | { key: string; ok: true; recordId: string }
  | { key: string; ok: false; retryable: boolean; category: string; message: string };

export interface AttainmentObject {
  objectTypeId: string;
  created: boolean;
}

export interface CrmConnector {
  readonly crm: 'hubspot' | 'salesforce';
  capabilities(): Promise<Capabilities>;
  listPayees(): Promise<{ payees: Payee[]; problems: RecordProblem[] }>;
  listTeams(): Promise<Team[]>;
  listPipelines(): Promise<Pipeline[]>;
  /**
   * All deals changed at or after `since` (ISO instant; omit for everything), oldest change first, in pages.
   * Never limited by the CRM's search result cap; a deal may appear twice if it changes during the read.
   */
  searchDealsModifiedSince(since?: string): AsyncGenerator<DealPage>;
  readDeals(ids: readonly string[]): Promise<DealRead>;
  readSplits(dealIds: readonly string[]): Promise<SplitRead>;
  /** Contact ids associated with each deal (deal without contacts → empty list). */
  readDealContacts(dealIds: readonly string[]): Promise<Record<string, string[]>>;
  readGoals(query: GoalQuery): Promise<GoalRead>;
  /** Creates the result properties that are missing; idempotent. */
  ensureProperties(): Promise<ProvisioningReport>;
  /** Checks the result properties before a write-back: exists, writable, right type. Problems as data. */
  checkProperties(): Promise<PropertyProblem[]>;
  /** Writes result values in batches of the CRM's maximum size; one result per input record. */
  writeDealProperties(writes: readonly DealWrite[]): Promise<WriteResult[]>;
  /** Creates the attainment object type when it is missing; idempotent. Needs the customObjects capability. */
  ensureAttainmentObject?(): Promise<AttainmentObject>;
  /**
   * Creates or updates attainment records by their unique key, in batches of the CRM's maximum size; the
   * fields given replace those stored, the others stay. One result per input record.
   */
  writeAttainmentRecords?(
    records: ReadonlyArray<Partial<AttainmentRecord> & Pick<AttainmentRecord, 'payeeId' | 'periodId'>>,
  ): Promise<AttainmentWriteResult[]>;
}

export function attainmentKey(payeeId: string, periodId: string): string {
  return `${payeeId}:${periodId}`;
}
