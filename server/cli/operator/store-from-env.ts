/** Operator commands open the same database the server uses, configured the same way (server/config.ts). */
import { userInfo } from 'node:os';
import { ConfigError, loadConfig } from '../../config.js';
import { openStore, tenantExists, type Store } from '../../store/index.js';

export async function withStore(command: string, fn: (store: Store) => Promise<number>): Promise<number> {
  let store: Store;
  try {
    const config = loadConfig();
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    console.error(
      `attain ${command}: ${err instanceof ConfigError ? err.message : `cannot open the database: ${(err as Error).message}`}`,
    );
    return 2;
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** withStore for a command about one tenant: exit code 1 and a message when the tenant does not exist. */
export async function withTenantStore(
  command: string,
  tenantId: string,
  fn: (store: Store) => Promise<number>,
): Promise<number> {
  return withStore(command, async (store) => {
    if (!(await tenantExists(store.db, tenantId))) {
      console.error(`attain ${command}: tenant "${tenantId}" does not exist`);
      return 1;
    }
    return fn(store);
  });
}

/** Audit actor for changes made from the command line. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}
