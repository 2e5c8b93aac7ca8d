/**
 * The tenant's data revision (see migration-data-revision.ts): it changes with every committed write to the records
 * cards read. Read it BEFORE reading the data you cache under it.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

/** `null` when the tenant has no revision row yet: then nothing may be cached for it. */
export async function dataRevision(db: Db, tenantId: string): Promise<string | null> {
  const r = await sql<{
    revision: string;
  }>`SELECT revision::text AS revision FROM data_revisions WHERE tenant_id = ${tenantId}`.execute(db);
  return r.rows[0]?.revision ?? null;
}
