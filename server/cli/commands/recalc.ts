/**
 * `attain recalc --tenant <id>`: a full recalculation of one tenant, published atomically (readers see the
 * previous results until it is done). Runs against the configured database (stop an embedded server first).
 */
import { domainEngine } from '../../calc/engine.js';
import { recalculateTenant } from '../../calc/index.js';
import { cliActor, withTenantStore } from '../operator/store-from-env.js';
import { parseCommand } from '../parse-command.js';

const HELP = `Usage: attain recalc --tenant <id>

Recalculates every payee of the tenant in every fiscal year with data and publishes the results in one step.
Database: DATABASE_URL, or the embedded one in ATTAIN_DATA_DIR (default .attain/data).`;

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('recalc', HELP, argv, { options: { tenant: { type: 'string' } } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const tenantId = values.tenant;
  if (!tenantId) {
    console.error(`attain recalc: --tenant is required\n\n${HELP}`);
    return 2;
  }
  return withTenantStore('recalc', tenantId, async (store) => {
    const started = performance.now();
    console.log(`recalculating ${tenantId} …`);
    const result = await recalculateTenant(store.db, tenantId, {
      now: new Date(),
      actor: cliActor(),
      engine: domainEngine,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `published run ${result.runId}: ${result.partitions.length} partitions, ${result.results} results, ${result.warnings} data warnings (${seconds} s)`,
    );
    return 0;
  });
}

export default { summary: 'Recalculate a tenant now and publish the results (attain recalc --tenant demo)', run };
