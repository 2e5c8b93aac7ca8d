import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { migrationProvider } from './migrations.js';

export interface StoreLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface OpenStoreOptions {
  /** A PostgreSQL URL; absent = embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Embedded data folder (default `.attain/data`). */
  dataDir?: string;
  /** Pool size on PostgreSQL (PGlite is one session: always 1). */
  poolSize?: number;
  log?: StoreLog;
}

export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** The pg pool under `db`. On PGlite it has ONE connection: never wait for it inside a `db.transaction()`. */
  pool: pg.Pool;
  /** Where the data lives, for messages: the data folder, or the URL without its password. */
  location: string;
  close(): Promise<void>;
}

const DATE_OID = 1082;

/** DATE stays a `YYYY-MM-DD` string (pg would make it a local-midnight Date); everything else as pg does it. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const store = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.log)
    : await openPglite(options.dataDir ?? '.attain/data');
  try {
    await migrate(store.db, options.log);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openPostgres(databaseUrl: string, poolSize: number, log: StoreLog | undefined): Store {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, types });
  // An idle connection dropped by the server (restart, failover) must not crash the process; the pool replaces it.
  pool.on('error', (error) => log?.error({ err: error.message }, 'idle database connection lost'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    pool,
    location: redactUrl(databaseUrl),
    // db.destroy() ends the pool.
    close: () => db.destroy(),
  };
}

async function openPglite(dataDir: string): Promise<Store> {
  const dir = resolve(dataDir);
  const lock: DataDirLock = lockDataDir(dir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dir);
  } catch (error) {
    lock.release();
    throw error;
  }
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, types });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    pool,
    location: dir,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function migrate(db: Kysely<Database>, log: StoreLog | undefined): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log?.info({ migration: r.migrationName }, 'migration applied');
    if (r.status === 'Error') log?.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(`[Attain] migration failed: ${String(error)}`);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}
