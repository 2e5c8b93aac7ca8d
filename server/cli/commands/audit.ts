/**
 * `attain audit verify [--tenant <id>] [--database-url <url>] [--data-dir <dir>]`: walks the hash-chained audit
 * log and prints the first broken link; exit code 0 = intact, 1 = broken, 2 = usage or database error.
 */
import { existsSync } from 'node:fs';
import { verifyAuditChain } from '../../audit/index.js';
import { openStore } from '../../store/index.js';
import { parseCommand } from '../parse-command.js';

const HELP = `Usage: attain audit verify [--tenant <id>] [--database-url <url>] [--data-dir <dir>]

Checks that no audit entry was changed, removed or reordered since it was written.
  --tenant        only this tenant's chain (default: every tenant)
  --database-url  PostgreSQL URL (default: $DATABASE_URL; without it the embedded database)
  --data-dir      embedded data folder (default: $ATTAIN_DATA_DIR or .attain/data)`;

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('audit', HELP, argv, {
    allowPositionals: true,
    options: { tenant: { type: 'string' }, 'database-url': { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals[0] !== 'verify' || positionals.length !== 1) {
    console.error(`attain audit: expected the subcommand "verify"\n\n${HELP}`);
    return 2;
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const dataDir = values['data-dir'] ?? process.env.ATTAIN_DATA_DIR ?? '.attain/data';
  if (!databaseUrl && !existsSync(dataDir)) {
    console.error(
      `attain audit: there is no embedded database at ${dataDir} (use --data-dir, or --database-url for PostgreSQL)`,
    );
    return 2;
  }
  let store;
  try {
    store = await openStore(databaseUrl ? { databaseUrl } : { dataDir });
  } catch (error) {
    console.error(`attain audit: cannot open the database: ${(error as Error).message}`);
    return 2;
  }
  try {
    const result = await verifyAuditChain(store.db, values.tenant);
    if (result.ok) {
      console.log(
        `audit log intact: ${result.checked} entries checked${values.tenant ? ` for tenant ${values.tenant}` : ''} (${store.location})`,
      );
      return 0;
    }
    const b = result.firstBroken!;
    console.log(
      `audit log BROKEN: tenant ${b.tenantId}, entry ${b.seq}: ${b.reason} (${result.checked} entries verified before it; ${store.location})`,
    );
    return 1;
  } finally {
    await store.close();
  }
}

export default { summary: 'Verify the hash-chained audit log (attain audit verify)', run };
