/**
 * Tables the HubSpot sync, webhooks and write-back need beyond the initial schema (registered in
 * migrations.ts as `0002_crm_sync`). Plain PostgreSQL 15.
 *
 * - crm_dirty: deals and (payee, fiscal year) partitions whose results must be recalculated and written back. Marked in the same
 *   transaction as the deal upsert that changed them, removed only after their write-back finished, so a
 *   crash anywhere in between leaves the work visible to the next run.
 * - writeback_outbox: write-back intents (the exact values, timestamp included) recorded before a batch is
 *   sent; a restarted process resends them unchanged instead of recomputing, so a batch HubSpot applied but
 *   whose answer was lost is never written with different values.
 * - webhook_signatures: v3 signatures already accepted, so a captured request replayed within HubSpot's
 *   five-minute window is refused (redeliveries carry a new timestamp, hence a new signature).
 * - deal_contacts: deal → contact associations from HubSpot.
 */
export const crmSyncMigration: string[] = [
  `CREATE TABLE crm_dirty (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     kind text NOT NULL CHECK (kind IN ('deal', 'partition')),
     id text NOT NULL,
     marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     PRIMARY KEY (tenant_id, kind, id))`,
  `CREATE TABLE writeback_outbox (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     crm text NOT NULL,
     record_id text NOT NULL,
     "values" jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     attempts integer NOT NULL DEFAULT 0,
     last_error text,
     PRIMARY KEY (tenant_id, crm, record_id))`,
  `CREATE TABLE webhook_signatures (
     tenant_id text NOT NULL,
     signature text NOT NULL,
     seen_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, signature))`,
  `CREATE INDEX webhook_signatures_seen ON webhook_signatures (seen_at)`,
  `CREATE TABLE deal_contacts (
     tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
     deal_id text NOT NULL,
     contact_id text NOT NULL,
     PRIMARY KEY (tenant_id, deal_id, contact_id))`,
  `CREATE INDEX deal_contacts_contact ON deal_contacts (tenant_id, contact_id)`,
];
