import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { crmSyncMigration } from './migration-crm-sync.js';
import { dataRevisionMigration } from './migration-data-revision.js';

/**
 * Schema migrations, in code so the service needs no files next to it. Append new migrations; never edit
 * one that has shipped. The SQL is plain PostgreSQL 15 (PGlite is 18; nothing newer than 15 is used).
 */

const forbidChange = `
CREATE OR REPLACE FUNCTION attain_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'attain: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$`;

const initial: string[] = [
  `CREATE TABLE tenants (
     tenant_id text PRIMARY KEY,
     name text NOT NULL,
     currency text NOT NULL DEFAULT 'DKK',
     fiscal_year_start_month integer NOT NULL DEFAULT 1 CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
     settings jsonb NOT NULL DEFAULT '{}',
     created_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE api_tokens (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     token_hash text NOT NULL UNIQUE,
     name text NOT NULL,
     role text NOT NULL CHECK (role IN ('admin', 'manager', 'seller')),
     payee_id text,
     created_at timestamptz NOT NULL DEFAULT now(),
     last_used_at timestamptz,
     revoked_at timestamptz,
     PRIMARY KEY (tenant_id, id))`,

  `CREATE TABLE crm_connections (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     provider text NOT NULL CHECK (provider IN ('hubspot', 'salesforce')),
     account_id text NOT NULL,
     instance_url text,
     access_token_enc text NOT NULL,
     refresh_token_enc text,
     expires_at timestamptz,
     scopes jsonb NOT NULL DEFAULT '[]',
     status text NOT NULL DEFAULT 'connected',
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, provider))`,
  `CREATE INDEX crm_connections_account ON crm_connections (provider, account_id)`,

  `CREATE TABLE teams (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     name text NOT NULL,
     manager_id text,
     parent_team_id text,
     PRIMARY KEY (tenant_id, id))`,

  `CREATE TABLE payees (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     name text NOT NULL,
     email text,
     manager_id text,
     team_id text,
     start_date date,
     end_date date,
     hubspot_owner_id text,
     hubspot_user_id text,
     salesforce_user_id text,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX payees_manager ON payees (tenant_id, manager_id)`,
  `CREATE INDEX payees_team ON payees (tenant_id, team_id)`,
  `CREATE INDEX payees_hubspot_owner ON payees (tenant_id, hubspot_owner_id)`,
  `CREATE INDEX payees_salesforce_user ON payees (tenant_id, salesforce_user_id)`,

  `CREATE TABLE plans (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     name text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, id))`,
  `CREATE TABLE plan_versions (
     tenant_id text NOT NULL,
     plan_id text NOT NULL,
     version integer NOT NULL CHECK (version > 0),
     definition jsonb NOT NULL,
     created_by text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, plan_id, version),
     FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id) ON DELETE CASCADE)`,

  `CREATE TABLE assignments (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     payee_id text NOT NULL,
     plan_id text NOT NULL,
     from_date date NOT NULL,
     to_date date,
     PRIMARY KEY (tenant_id, payee_id, plan_id, from_date))`,

  `CREATE TABLE quotas (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     payee_id text NOT NULL,
     period_id text NOT NULL,
     component_id text NOT NULL DEFAULT '',
     amount numeric NOT NULL,
     PRIMARY KEY (tenant_id, payee_id, period_id, component_id))`,

  `CREATE TABLE deals (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     owner_id text,
     amount numeric NOT NULL,
     currency text NOT NULL,
     status text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
     close_date date,
     cancelled_date date,
     data jsonb NOT NULL,
     input_hash text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX deals_close_date ON deals (tenant_id, close_date)`,
  `CREATE INDEX deals_cancelled_date ON deals (tenant_id, cancelled_date) WHERE cancelled_date IS NOT NULL`,
  `CREATE TABLE deal_payees (
     tenant_id text NOT NULL,
     payee_id text NOT NULL,
     deal_id text NOT NULL,
     PRIMARY KEY (tenant_id, payee_id, deal_id))`,
  `CREATE INDEX deal_payees_deal ON deal_payees (tenant_id, deal_id)`,

  `CREATE TABLE payments (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     payee_id text NOT NULL,
     period_id text NOT NULL,
     amount numeric NOT NULL,
     paid_on date,
     reference text,
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX payments_payee ON payments (tenant_id, payee_id, period_id)`,

  `CREATE TABLE fx_rates (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     from_currency text NOT NULL,
     to_currency text NOT NULL,
     date date NOT NULL,
     rate numeric NOT NULL,
     PRIMARY KEY (tenant_id, from_currency, to_currency, date))`,

  `CREATE TABLE calc_runs (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id text NOT NULL,
     kind text NOT NULL CHECK (kind IN ('full', 'partitions')),
     status text NOT NULL CHECK (status IN ('running', 'published', 'failed')),
     partitions jsonb,
     triggered_by text NOT NULL,
     as_of text NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     error text,
     warnings jsonb NOT NULL DEFAULT '[]',
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX calc_runs_started ON calc_runs (tenant_id, started_at)`,
  `CREATE TABLE payee_results (
     tenant_id text NOT NULL,
     run_id text NOT NULL,
     payee_id text NOT NULL,
     period_id text NOT NULL,
     year text NOT NULL,
     quota numeric NOT NULL,
     credited numeric NOT NULL,
     attainment numeric NOT NULL,
     earnings numeric NOT NULL,
     summary jsonb NOT NULL,
     PRIMARY KEY (tenant_id, run_id, payee_id, period_id),
     FOREIGN KEY (tenant_id, run_id) REFERENCES calc_runs (tenant_id, id) ON DELETE CASCADE)`,
  `CREATE INDEX payee_results_partition ON payee_results (tenant_id, payee_id, year, run_id)`,
  `CREATE TABLE payout_lines (
     tenant_id text NOT NULL,
     run_id text NOT NULL,
     payee_id text NOT NULL,
     period_id text NOT NULL,
     line_id text NOT NULL,
     kind text NOT NULL,
     deal_id text,
     amount numeric NOT NULL,
     line jsonb NOT NULL,
     PRIMARY KEY (tenant_id, run_id, payee_id, period_id, line_id),
     FOREIGN KEY (tenant_id, run_id) REFERENCES calc_runs (tenant_id, id) ON DELETE CASCADE)`,
  `CREATE TABLE published_partitions (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     payee_id text NOT NULL,
     year text NOT NULL,
     run_id text NOT NULL,
     published_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, payee_id, year),
     FOREIGN KEY (tenant_id, run_id) REFERENCES calc_runs (tenant_id, id))`,
  `CREATE INDEX published_partitions_run ON published_partitions (tenant_id, run_id)`,

  `CREATE TABLE writeback_state (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     crm text NOT NULL,
     object_type text NOT NULL,
     record_id text NOT NULL,
     property text NOT NULL,
     value text,
     written_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, crm, object_type, record_id, property))`,

  `CREATE TABLE sync_checkpoints (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     crm text NOT NULL,
     stream text NOT NULL,
     cursor jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, crm, stream))`,

  `CREATE TABLE webhook_inbox (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     id bigserial NOT NULL,
     source text NOT NULL,
     dedupe_key text NOT NULL,
     payload jsonb NOT NULL,
     received_at timestamptz NOT NULL DEFAULT now(),
     processed_at timestamptz,
     error text,
     PRIMARY KEY (tenant_id, id),
     UNIQUE (tenant_id, source, dedupe_key))`,
  `CREATE INDEX webhook_inbox_pending ON webhook_inbox (tenant_id, received_at) WHERE processed_at IS NULL`,

  `CREATE TABLE audit_heads (
     tenant_id text PRIMARY KEY,
     seq bigint NOT NULL,
     hash text NOT NULL)`,
  `CREATE TABLE audit_log (
     tenant_id text NOT NULL,
     seq bigint NOT NULL,
     actor text NOT NULL,
     action text NOT NULL,
     entity_type text NOT NULL,
     entity_id text NOT NULL,
     before jsonb,
     after jsonb,
     at timestamptz NOT NULL,
     prev_hash text NOT NULL,
     hash text NOT NULL,
     PRIMARY KEY (tenant_id, seq))`,
  `CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity_type, entity_id)`,
  forbidChange,
  `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION attain_forbid_change()`,
  `CREATE TRIGGER plan_versions_append_only BEFORE UPDATE ON plan_versions
     FOR EACH ROW EXECUTE FUNCTION attain_forbid_change()`,

  `CREATE TABLE job_leases (
     tenant_id text NOT NULL,
     key text NOT NULL,
     holder text NOT NULL,
     expires_at timestamptz NOT NULL,
     PRIMARY KEY (tenant_id, key))`,
  `CREATE INDEX job_leases_expiry ON job_leases (tenant_id, expires_at)`,
];

function statements(list: string[]): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const text of list) await sql.raw(text).execute(db);
    },
  };
}

/**
 * Payout line ids are the engine's; the store keys lines by their position so a repeated id can never drop a
 * line. Published pointers remember their run's start so they only move forward.
 */
const lineOrdinal: string[] = [
  `ALTER TABLE payout_lines DROP CONSTRAINT payout_lines_pkey`,
  `ALTER TABLE payout_lines ADD COLUMN ord integer NOT NULL DEFAULT 0`,
  `ALTER TABLE payout_lines ALTER COLUMN ord DROP DEFAULT`,
  `ALTER TABLE payout_lines ADD PRIMARY KEY (tenant_id, run_id, payee_id, period_id, ord)`,
  `CREATE INDEX payout_lines_deal ON payout_lines (tenant_id, deal_id) WHERE deal_id IS NOT NULL`,
  // Pointers only move forward: a run that started earlier (read older data) never replaces a later one.
  `ALTER TABLE published_partitions ADD COLUMN run_started_at timestamptz NOT NULL DEFAULT now()`,
];

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': statements(initial),
      '0002_payout_line_ordinal': statements(lineOrdinal),
      '0003_crm_sync': statements(crmSyncMigration),
      '0004_data_revision': statements(dataRevisionMigration),
    };
  },
};
