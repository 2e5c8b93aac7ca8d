/**
 * Runs a suite against every store backend: embedded PGlite in a temp folder always, and PostgreSQL when
 * TEST_DATABASE_URL is set (a fresh database per suite, created from that server and dropped afterwards).
 *
 *   describeStores('quotas', (getStore) => { it('…', async () => { const { db } = getStore(); … }); });
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';
import { migrationProvider } from '../../server/store/migrations.js';

export type Backend = 'pglite' | 'postgres';

export const testDatabaseUrl: string | undefined = process.env.TEST_DATABASE_URL || undefined;

export function backends(): Backend[] {
  return testDatabaseUrl ? ['pglite', 'postgres'] : ['pglite'];
}

/** A new empty PostgreSQL database on the TEST_DATABASE_URL server; `drop()` removes it (disconnecting stragglers). */
export async function createTestDatabase(prefix = 'attain_test'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A temp folder for an embedded data dir; `remove()` deletes it. */
export function createTempDataDir(): { dataDir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'attain-store-'));
  return { dataDir: join(root, 'data'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Creating a PGlite data directory takes seconds (initdb); opening a copy of a migrated one takes a fraction.
 * So every test process copies one template, built once per set of migrations and shared across test files
 * (built aside, then renamed into place: concurrent builders cannot leave a half-made template). Opening the
 * copy still runs migrateToLatest, so a stale template is only slower, never wrong.
 */
async function pgliteTemplate(): Promise<string> {
  const names = Object.keys(await migrationProvider.getMigrations())
    .sort()
    .join(',');
  const path = join(
    tmpdir(),
    `attain-pglite-template-${createHash('sha256').update(names).digest('hex').slice(0, 16)}`,
  );
  if (existsSync(path)) return path;
  const building = createTempDataDir();
  const store = await openStore({ dataDir: building.dataDir });
  await store.close();
  try {
    renameSync(building.dataDir, path);
  } catch {
    // Another test process put its template in place first; use that one.
  }
  building.remove();
  return path;
}

/** Fills `dataDir` with a migrated, empty embedded database (fast); `openStore({ dataDir })` then opens it. */
export async function seedDataDir(dataDir: string): Promise<void> {
  cpSync(await pgliteTemplate(), dataDir, { recursive: true });
}

/** Opens a fresh store of the given backend; `dispose()` closes it and deletes its data. */
export async function openTestStore(backend: Backend): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (backend === 'postgres') {
    const database = await createTestDatabase();
    const store = await openStore({ databaseUrl: database.url, poolSize: 4 });
    return {
      store,
      async dispose() {
        await store.close();
        await database.drop();
      },
    };
  }
  const dir = createTempDataDir();
  await seedDataDir(dir.dataDir);
  const store = await openStore({ dataDir: dir.dataDir });
  return {
    store,
    async dispose() {
      await store.close();
      dir.remove();
    },
  };
}

export function describeStores(name: string, fn: (getStore: () => Store, backend: Backend) => void): void {
  for (const backend of backends()) {
    describe(`${name} [${backend}]`, () => {
      let opened: Awaited<ReturnType<typeof openTestStore>> | undefined;
      beforeAll(async () => {
        opened = await openTestStore(backend);
      });
      afterAll(async () => {
        await opened?.dispose();
      });
      fn(() => {
        if (!opened) throw new Error('store not open yet: call getStore() inside a test or hook');
        return opened.store;
      }, backend);
    });
  }
}
