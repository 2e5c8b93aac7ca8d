import type { ColumnType, Generated } from 'kysely';

/**
 * Row shapes of every table, as Kysely sees them. NUMERIC columns are decimal strings both ways (pg never
 * turns them into JS numbers); DATE columns are `YYYY-MM-DD` strings (the store installs a type parser for
 * that); TIMESTAMPTZ columns are `Date`; BIGINT comes back as a string. Every table carries `tenant_id`.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface TenantsTable {
  tenant_id: string;
  name: string;
  currency: string;
  fiscal_year_start_month: number;
  settings: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface ApiTokensTable {
  tenant_id: string;
  id: string;
  token_hash: string;
  name: string;
  role: 'admin' | 'manager' | 'seller';
  payee_id: string | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Timestamp | null;
}

export interface CrmConnectionsTable {
  tenant_id: string;
  provider: 'hubspot' | 'salesforce';
  account_id: string;
  instance_url: string | null;
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Timestamp | null;
  scopes: Json<string[]>;
  status: string;
  updated_at: Timestamp;
}

export interface PayeesTable {
  tenant_id: string;
  id: string;
  name: string;
  email: string | null;
  manager_id: string | null;
  team_id: string | null;
  start_date: string | null;
  end_date: string | null;
  hubspot_owner_id: string | null;
  hubspot_user_id: string | null;
  salesforce_user_id: string | null;
  updated_at: Generated<Date>;
}

export interface TeamsTable {
  tenant_id: string;
  id: string;
  name: string;
  manager_id: string | null;
  parent_team_id: string | null;
}

export interface PlansTable {
  tenant_id: string;
  id: string;
  name: string;
  created_at: Generated<Date>;
}

export interface PlanVersionsTable {
  tenant_id: string;
  plan_id: string;
  /** Revision number 1, 2, …: every save appends one; rows are never updated. */
  version: number;
  /** The whole plan document (src/plan `Plan`, with its effective-dated versions) as saved. */
  definition: Json<Record<string, unknown>>;
  created_by: string;
  created_at: Generated<Date>;
}

export interface AssignmentsTable {
  tenant_id: string;
  payee_id: string;
  plan_id: string;
  from_date: string;
  to_date: string | null;
}

export interface QuotasTable {
  tenant_id: string;
  payee_id: string;
  period_id: string;
  /** '' = the plan's primary measure (a primary key column cannot be NULL). */
  component_id: string;
  amount: string;
}

export interface DealsTable {
  tenant_id: string;
  id: string;
  owner_id: string | null;
  amount: string;
  currency: string;
  status: 'open' | 'won' | 'lost';
  close_date: string | null;
  cancelled_date: string | null;
  /** The validated deal record (splits, line items, attributes …) exactly as the engine reads it. */
  data: Json<Record<string, unknown>>;
  /** sha256 of the engine inputs: same hash → nothing to recompute (echo suppression). */
  input_hash: string;
  updated_at: Generated<Date>;
}

/** Who a deal can credit (owner and split payees): finds a partition's deals without scanning JSON. */
export interface DealPayeesTable {
  tenant_id: string;
  deal_id: string;
  payee_id: string;
}

export interface PaymentsTable {
  tenant_id: string;
  id: string;
  payee_id: string;
  period_id: string;
  amount: string;
  paid_on: string | null;
  reference: string | null;
}

export interface FxRatesTable {
  tenant_id: string;
  from_currency: string;
  to_currency: string;
  date: string;
  rate: string;
}

export interface CalcRunsTable {
  tenant_id: string;
  id: string;
  kind: 'full' | 'partitions';
  status: 'running' | 'published' | 'failed';
  partitions: Json<Array<{ payeeId: string; year: string }> | null>;
  triggered_by: string;
  as_of: string;
  /** Database clock (clock_timestamp()), so runs on different instances order correctly. */
  started_at: Timestamp;
  /** Database clock too. */
  finished_at: Timestamp | null;
  error: string | null;
  warnings: Json<unknown[]>;
}

export interface PayeeResultsTable {
  tenant_id: string;
  run_id: string;
  payee_id: string;
  period_id: string;
  year: string;
  quota: string;
  credited: string;
  attainment: string;
  earnings: string;
  /** The PayeePeriodResult without its lines (they live in payout_lines). */
  summary: Json<Record<string, unknown>>;
}

export interface PayoutLinesTable {
  tenant_id: string;
  run_id: string;
  payee_id: string;
  period_id: string;
  /** Position of the line in the payee's period statement. */
  ord: number;
  line_id: string;
  kind: string;
  deal_id: string | null;
  amount: string;
  line: Json<Record<string, unknown>>;
}

/** The run whose results readers see, per (payee, fiscal year) partition; switched in the run's own transaction. */
export interface PublishedPartitionsTable {
  tenant_id: string;
  payee_id: string;
  year: string;
  run_id: string;
  /** The run's start (database clock): a pointer is only moved to a run that started later. */
  run_started_at: Timestamp;
  published_at: Timestamp;
}

export interface WritebackStateTable {
  tenant_id: string;
  crm: string;
  object_type: string;
  record_id: string;
  property: string;
  value: string | null;
  written_at: Timestamp;
}

export interface SyncCheckpointsTable {
  tenant_id: string;
  crm: string;
  stream: string;
  cursor: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface WebhookInboxTable {
  tenant_id: string;
  id: Generated<string>;
  source: string;
  dedupe_key: string;
  payload: Json<unknown>;
  received_at: Generated<Date>;
  processed_at: Timestamp | null;
  error: string | null;
}

export interface AuditLogTable {
  tenant_id: string;
  seq: ColumnType<string, number | string, never>;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json<unknown>;
  after: Json<unknown>;
  at: Timestamp;
  prev_hash: string;
  hash: string;
}

/** One row per tenant: the chain head, locked FOR UPDATE so appends are serialised per tenant. */
export interface AuditHeadsTable {
  tenant_id: string;
  seq: ColumnType<string, number | string, number | string>;
  hash: string;
}

/** Cron tick leases; tenant_id is '*' for schedules that are not per tenant. */
export interface JobLeasesTable {
  tenant_id: string;
  key: string;
  holder: string;
  expires_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  api_tokens: ApiTokensTable;
  crm_connections: CrmConnectionsTable;
  payees: PayeesTable;
  teams: TeamsTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;
  assignments: AssignmentsTable;
  quotas: QuotasTable;
  deals: DealsTable;
  deal_payees: DealPayeesTable;
  payments: PaymentsTable;
  fx_rates: FxRatesTable;
  calc_runs: CalcRunsTable;
  payee_results: PayeeResultsTable;
  payout_lines: PayoutLinesTable;
  published_partitions: PublishedPartitionsTable;
  writeback_state: WritebackStateTable;
  sync_checkpoints: SyncCheckpointsTable;
  webhook_inbox: WebhookInboxTable;
  audit_log: AuditLogTable;
  audit_heads: AuditHeadsTable;
  job_leases: JobLeasesTable;
}
