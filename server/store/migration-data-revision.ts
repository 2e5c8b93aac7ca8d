/**
 * A per-tenant data revision (registered in migrations.ts as `0004_data_revision`), so a reader can cache what it
 * derived from a tenant's records and know with one primary-key lookup whether that is still current.
 *
 * Every write statement on a table the card API reads (organisation, plans, quotas, deals, payments, fx rates,
 * published results, the tenant row and its CRM connection) bumps `data_revisions.revision` of each tenant the
 * statement touched — statement-level triggers over the transition tables, so a 20,000-row upsert costs one
 * increment, not 20,000. The increment is transactional: a reader sees the new revision exactly when it can see
 * the new rows. Readers must read the revision BEFORE the data they cache under it; a commit in between then
 * leaves newer data under an older revision, which only causes one extra reload.
 *
 * Cost on writers: the tenant's revision row is locked from the first write statement to commit, so two write
 * transactions of the SAME tenant serialise at that point (other tenants are unaffected). TRUNCATE does not fire
 * these triggers.
 */
const TABLES = [
  'tenants',
  'crm_connections',
  'teams',
  'payees',
  'plans',
  'plan_versions',
  'assignments',
  'quotas',
  'deals',
  'deal_payees',
  'payments',
  'fx_rates',
  'published_partitions',
] as const;

const bump = (source: string) => `
  INSERT INTO data_revisions AS r (tenant_id, revision)
  SELECT DISTINCT tenant_id, 1 FROM ${source}
  ON CONFLICT (tenant_id) DO UPDATE SET revision = r.revision + 1`;

export const dataRevisionMigration: string[] = [
  `CREATE TABLE data_revisions (
     tenant_id text PRIMARY KEY,
     revision bigint NOT NULL)`,
  // One function per event: a trigger's transition tables exist only for the events it names.
  `CREATE FUNCTION attain_bump_revision_new() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN ${bump('new_rows')}; RETURN NULL; END $$`,
  `CREATE FUNCTION attain_bump_revision_old() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN ${bump('old_rows')}; RETURN NULL; END $$`,
  `CREATE FUNCTION attain_bump_revision_both() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN ${bump('(SELECT tenant_id FROM new_rows UNION SELECT tenant_id FROM old_rows) AS t')}; RETURN NULL; END $$`,
  ...TABLES.flatMap((t) => [
    `CREATE TRIGGER ${t}_revision_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION attain_bump_revision_new()`,
    `CREATE TRIGGER ${t}_revision_update AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION attain_bump_revision_both()`,
    `CREATE TRIGGER ${t}_revision_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION attain_bump_revision_old()`,
  ]),
  // Existing tenants start at revision 1 (the first write makes it 2; no reader ever sees "no row" for them).
  `INSERT INTO data_revisions (tenant_id, revision) SELECT tenant_id, 1 FROM tenants`,
];
