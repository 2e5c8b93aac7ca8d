/**
 * `attain calc --plan <plan.json> --data <data.json> --period <id> [--json] [--lang da|en]`
 * Reads and validates both files, runs the engine for one period and prints a table (or the JSON document
 * described in docs/plan-format.md). Exit codes: 0 calculated · 1 invalid input files · 2 wrong options.
 */
import { parseArgs } from 'node:util';
import { calculate } from '../../../src/index.js';
import { parsePeriodId } from '../../../src/time/index.js';
import type { Language } from '../../../src/format/index.js';
import { loadData, loadPlan } from '../calc/load.js';
import { renderTable } from '../calc/table.js';
import { toCalcJson } from '../calc/json.js';

const HELP = `Usage: attain calc --plan <plan.json> --data <data.json> --period <id> [--json] [--lang da|en]

  --plan     plan file (docs/plan-format.md)
  --data     data file: payees, teams, quotas, deals, payments, fx rates, assignments
  --period   fiscal period id: 2026 (year), 2026-Q3 (quarter), 2026-07 (fiscal month 7)
  --json     print one JSON document instead of the table
  --lang     table language: da (default) or en

Example:
  attain calc --plan examples/reference-scenario/plan.json --data examples/reference-scenario/data.json --period 2026-Q3`;

function usageError(message: string): number {
  console.error(`attain calc: ${message}\n\n${HELP}`);
  return 2;
}

export default {
  summary: 'Calculate quota attainment and pay for one period from a plan file and a data file',
  async run(argv: string[]): Promise<number> {
    let values: { plan?: string; data?: string; period?: string; json?: boolean; lang?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          plan: { type: 'string' },
          data: { type: 'string' },
          period: { type: 'string' },
          json: { type: 'boolean', default: false },
          lang: { type: 'string', default: 'da' },
          help: { type: 'boolean', short: 'h', default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      return usageError((err as Error).message);
    }
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const missing = (['plan', 'data', 'period'] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) return usageError(`missing ${missing.map((k) => `--${k}`).join(', ')}`);
    if (values.lang !== 'da' && values.lang !== 'en')
      return usageError(`--lang must be da or en, got ${JSON.stringify(values.lang)}`);
    const lang: Language = values.lang;

    const plan = await loadPlan(values.plan as string);
    const data = await loadData(values.data as string, plan.ok ? plan.value : undefined);
    const problems = [...(plan.ok ? [] : plan.problems), ...(data.ok ? [] : data.problems)];
    if (!plan.ok || !data.ok) {
      console.error(problems.join('\n'));
      return 1;
    }
    const periodId = values.period as string;
    try {
      parsePeriodId(periodId, plan.value.calendar);
    } catch (err) {
      return usageError(`--period: ${(err as Error).message.replace(/^\[Attain\] /, '')}`);
    }

    // `attain calc … | head` closes the pipe early; that is the reader's choice, not a failure.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
    const result = calculate({ plans: [plan.value], data: data.value.data, periodId });
    if (values.json) console.log(JSON.stringify(toCalcJson(result), null, 2));
    else console.log(renderTable(result, lang));
    return 0;
  },
};
