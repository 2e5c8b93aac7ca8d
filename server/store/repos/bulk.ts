import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/**
 * Multi-row upsert that sends each chunk as one typed array per column, expanded by `unnest`: a handful of
 * round trips for a million rows, no 65,535-parameter limit, and decimal strings reach NUMERIC columns
 * through PostgreSQL's own parser (never via a JS number). (unnest measured ~2.5× faster than
 * jsonb_to_recordset on PGlite.) Table and column names come from code, never from input.
 */
export interface BulkColumn {
  name: string;
  /** The column's SQL type, for the array cast: 'text', 'numeric', 'date', 'jsonb', 'integer' … */
  type: string;
}

export interface BulkUpsert {
  table: keyof Database & string;
  columns: BulkColumn[];
  conflict: string[];
  /** Columns to overwrite on conflict (default: every non-conflict column); [] = DO NOTHING. */
  update?: string[];
  /** Extra condition on the DO UPDATE (e.g. only when a hash changed), in terms of the table and `excluded`. */
  updateWhere?: string;
  /** RETURN these columns of the inserted/updated rows. */
  returning?: string[];
  chunkSize?: number;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`[Attain] bad identifier ${name}`);
  return `"${name}"`;
};

export async function bulkUpsert<R = Record<string, unknown>>(
  db: Kysely<Database>,
  spec: BulkUpsert,
  rows: readonly Record<string, unknown>[],
): Promise<R[]> {
  const names = spec.columns.map((c) => ident(c.name));
  const update = spec.update ?? spec.columns.map((c) => c.name).filter((n) => !spec.conflict.includes(n));
  const onConflict =
    update.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${update.map((n) => `${ident(n)} = excluded.${ident(n)}`).join(', ')}${spec.updateWhere ? ` WHERE ${spec.updateWhere}` : ''}`;
  const returning = spec.returning?.length ? ` RETURNING ${spec.returning.map(ident).join(', ')}` : '';
  const head = `INSERT INTO ${ident(spec.table)} (${names.join(', ')}) SELECT ${names.join(', ')} FROM unnest(`;
  const tail = `) AS r(${names.join(', ')}) ON CONFLICT (${spec.conflict.map(ident).join(', ')}) ${onConflict}${returning}`;
  // One statement may not touch a row twice: the last row per conflict key wins, as sequential upserts would.
  const unique = new Map<string, Record<string, unknown>>();
  for (const row of rows) unique.set(JSON.stringify(spec.conflict.map((c) => row[c] ?? null)), row);
  const deduped = [...unique.values()];
  const out: R[] = [];
  const chunk = spec.chunkSize ?? 2000;
  for (let i = 0; i < deduped.length; i += chunk) {
    const part = deduped.slice(i, i + chunk);
    const arrays = spec.columns.map((c) => {
      const values = part.map((row) => {
        const v = row[c.name];
        if (v === null || v === undefined) return null;
        return c.type === 'jsonb' ? JSON.stringify(v) : v;
      });
      return sql`${values}::${sql.raw(c.type)}[]`;
    });
    const result = await sql<R>`${sql.raw(head)}${sql.join(arrays)}${sql.raw(tail)}`.execute(db);
    out.push(...result.rows);
  }
  return out;
}
