/**
 * `attain import --tenant <id> --file <path> [--kind deals]`: the HTTP import from the command line — same
 * parsing, reference checks and single transaction; a bad row prints row and column and stores nothing.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { recordAudit } from '../../audit/index.js';
import { applyImport } from '../../import/apply.js';
import { IMPORT_KINDS, parseCsvImport, parseJsonImport, type ImportKind } from '../../import/parse.js';
import { cliActor, withTenantStore } from '../operator/store-from-env.js';
import { parseCommand } from '../parse-command.js';

const HELP = `Usage: attain import --tenant <id> --file <data.json | records.csv> [--kind ${IMPORT_KINDS.join('|')}]

JSON: { "payees": [...], "teams": [...], "quotas": [...], "deals": [...], "payments": [...], "assignments": [...], "fxRates": [...] }
CSV:  one kind per file (--kind), header row first; columns are listed in docs/api.md.
All or nothing: any bad row or unknown reference is reported (row and column) and nothing is stored.
Then run \`attain recalc --tenant <id>\` (or start the server) to recalculate.`;

async function run(argv: string[]): Promise<number> {
  const args = parseCommand('import', HELP, argv, {
    options: { tenant: { type: 'string' }, file: { type: 'string' }, kind: { type: 'string' } },
  });
  if (typeof args === 'number') return args;
  const { values } = args;
  if (!values.tenant || !values.file) {
    console.error(`attain import: --tenant and --file are required\n\n${HELP}`);
    return 2;
  }
  const isCsv = extname(values.file).toLowerCase() === '.csv';
  if (isCsv && !(IMPORT_KINDS as readonly string[]).includes(values.kind ?? '')) {
    console.error(`attain import: a CSV file needs --kind (${IMPORT_KINDS.join(', ')})`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(values.file, 'utf8');
  } catch (err) {
    console.error(`attain import: cannot read ${values.file}: ${(err as Error).message}`);
    return 2;
  }
  let parsed;
  if (isCsv) parsed = parseCsvImport(values.kind as ImportKind, text);
  else {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      console.error(`attain import: ${values.file} is not valid JSON: ${(err as Error).message}`);
      return 1;
    }
    parsed = parseJsonImport(values.kind && Array.isArray(json) ? { [values.kind]: json } : json);
  }
  const report = (errors: { path: string; message: string }[]) => {
    console.error(`attain import: ${values.file} was rejected; nothing was stored:`);
    for (const e of errors) console.error(`  ${e.path.replace(/^body\./, '')}: ${e.message}`);
    return 1;
  };
  if (!parsed.ok) return report(parsed.errors);
  const { batch, locate } = parsed;
  const tenantId = values.tenant;

  return withTenantStore('import', tenantId, async (store) => {
    const result = await store.db.transaction().execute(async (trx) => {
      const applied = await applyImport(trx, tenantId, batch, locate);
      if (applied.ok) {
        await recordAudit(trx, {
          tenantId,
          actor: cliActor(),
          action: 'import.applied',
          entityType: 'import',
          entityId: values.file as string,
          after: { counts: applied.counts },
        });
      }
      return applied;
    });
    if (!result.ok) return report(result.errors);
    const counts = Object.entries(result.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`);
    console.log(`imported into ${tenantId}: ${counts.join(', ') || 'nothing'}`);
    return 0;
  });
}

export default { summary: 'Import payees, teams, quotas, deals, payments (JSON or CSV) into a tenant', run };
