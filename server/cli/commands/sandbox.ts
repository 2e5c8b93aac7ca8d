/**
 * `attain sandbox`: a local HubSpot holding the reference scenario, plus small clients for its admin API
 * (change a deal, switch faults, read the call statistics) so a running sandbox can be steered from a shell.
 */
import { readFileSync } from 'node:fs';
import { dataSetSchema } from '../../../src/data/index.js';
import {
  generateScenario,
  loadReferenceDataSet,
  parseFaultSpec,
  REFERENCE_SCENARIO_PATH,
  scenarioFromDataSet,
  startHubSpotSandbox,
  type HubSpotScenario,
} from '../../sandbox/hubspot/index.js';
import { parseCommand } from '../parse-command.js';

const HELP = `Usage:
  attain sandbox [--port 4010] [--host 127.0.0.1] [--data <data.json> | --generate <owners>x<deals>]
                 [--faults 429=0.3,5xx=0.05,timeout=0.02,reset=0,latency=20] [--limit 100] [--webhook-url <url>]
                 [--token pat-sandbox-attain]
  attain sandbox set-deal <deal id> [amount=<decimal>] [stage=<id or label>] [closeDate=YYYY-MM-DD] [owner=<id or email>]
                 [<property>=<value> …] [--url http://127.0.0.1:4010]
  attain sandbox faults <spec> [--url …]      e.g. attain sandbox faults 429=0.3,5xx=0.05 (429=0 switches off)
  attain sandbox stats [--url …]              calls, outcomes, most calls in any rolling window

Starts a local HubSpot API (owners, pipelines, deal search and batches, properties, associations, goals, splits,
OAuth, webhooks) with HubSpot's limits and 429 bodies. Without --data or --generate it holds the reference
scenario (${REFERENCE_SCENARIO_PATH}). It prints the URL and a static access token; Ctrl-C stops it.`;

const KNOWN_DEAL_FIELDS = new Set(['amount', 'stage', 'closeDate', 'owner']);

async function admin(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url.replace(/\/$/, '')}/_sandbox${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as { message?: string };
  if (!response.ok) throw new Error(json.message ?? `the sandbox answered ${response.status}`);
  return json;
}

function scenarioFrom(values: { data?: string; generate?: string }): {
  scenario: HubSpotScenario;
  source: string;
  notMapped: string[];
} {
  if (values.generate) {
    const m = /^(\d+)x(\d+)$/.exec(values.generate);
    if (!m) throw new Error('--generate takes <owners>x<deals per owner>, e.g. 10x100');
    return {
      scenario: generateScenario({ owners: Number(m[1]), dealsPerOwner: Number(m[2]) }),
      source: `generated: ${m[1]} owners × ${m[2]} deals`,
      notMapped: [],
    };
  }
  const data = values.data
    ? dataSetSchema.parse(JSON.parse(readFileSync(values.data, 'utf8')))
    : loadReferenceDataSet();
  if (!data)
    throw new Error(
      `${REFERENCE_SCENARIO_PATH} not found: run from the project folder, or use --data <file> or --generate 10x100`,
    );
  const mapped = scenarioFromDataSet(data);
  return { scenario: mapped.scenario, source: values.data ?? REFERENCE_SCENARIO_PATH, notMapped: mapped.notMapped };
}

async function serve(values: Record<string, string | boolean | undefined>): Promise<number> {
  const { scenario, source, notMapped } = scenarioFrom({
    data: values['data'] as string | undefined,
    generate: values['generate'] as string | undefined,
  });
  const limit = values['limit'] ? Number(values['limit']) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new Error('--limit must be a positive whole number of requests per 10 seconds');
  const sandbox = await startHubSpotSandbox({
    port: Number(values['port'] ?? 4010),
    host: (values['host'] as string | undefined) ?? '127.0.0.1',
    scenario,
    // A fixed token so a local .env keeps working across restarts; it only opens this local sandbox.
    accessToken: (values['token'] as string | undefined) ?? 'pat-sandbox-attain',
    ...(limit ? { limits: { requestsPerInterval: limit } } : {}),
    ...(values['faults'] ? { faults: parseFaultSpec(values['faults'] as string) } : {}),
    ...(values['webhook-url'] ? { webhooks: { targetUrl: values['webhook-url'] as string } } : {}),
  });
  const s = sandbox.state;
  console.log(`HubSpot sandbox listening on ${sandbox.url}
  scenario      ${source}: ${s.owners.size} owners, ${s.objects.deals.size} deals, ${s.objects.goal_targets.size} goals, portal ${s.portalId}
  access token  ${sandbox.accessToken}   (static, like a private app's)
  OAuth app     client id ${sandbox.app.clientId}, secret ${sandbox.app.clientSecret}, authorize at ${sandbox.url}/oauth/authorize
  limits        ${sandbox.limits.requestsPerInterval} requests / ${sandbox.limits.intervalMs / 1000} s, ${sandbox.limits.searchesPerSecond} searches / s, batches ≤ ${sandbox.limits.batchMax}
  webhooks      ${sandbox.webhooks.targetUrl ?? 'off (set with --webhook-url or PUT /_sandbox/webhooks)'}
  admin         ${sandbox.url}/_sandbox/stats · /calls · /faults · PATCH /deals/:id`);
  if (notMapped.length > 0)
    console.log(`  not in HubSpot  ${[...new Set(notMapped.map((n) => n.replace(/^deal \S+: /, '')))].join('; ')}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}

async function setDeal(url: string, args: string[]): Promise<number> {
  const [id, ...assignments] = args;
  if (!id || assignments.length === 0) throw new Error('set-deal needs a deal id and at least one field=value');
  const body: Record<string, unknown> = {};
  const properties: Record<string, string> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`"${a}" is not field=value`);
    const [key, value] = [a.slice(0, eq), a.slice(eq + 1)];
    if (KNOWN_DEAL_FIELDS.has(key)) body[key] = value;
    else properties[key] = value;
  }
  if (Object.keys(properties).length > 0) body['properties'] = properties;
  const deal = (await admin(url, 'PATCH', `/deals/${encodeURIComponent(id)}`, body)) as {
    id: string;
    properties: Record<string, string>;
  };
  const p = deal.properties;
  console.log(
    `deal ${deal.id}: amount ${p['amount'] ?? '—'}, stage ${p['dealstage'] ?? '—'}, close ${p['closedate'] ?? '—'}, owner ${p['hubspot_owner_id'] ?? '—'}, modified ${p['hs_lastmodifieddate']}`,
  );
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('sandbox', HELP, argv, {
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      generate: { type: 'string' },
      faults: { type: 'string' },
      limit: { type: 'string' },
      'webhook-url': { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const url = values.url ?? 'http://127.0.0.1:4010';
  const [sub, ...rest] = positionals;
  try {
    if (sub === undefined) return await serve(values);
    if (sub === 'set-deal') return await setDeal(url, rest);
    if (sub === 'faults') {
      if (rest.length !== 1) throw new Error('faults takes one spec such as 429=0.3,5xx=0.05');
      console.log(JSON.stringify(await admin(url, 'PUT', '/faults', parseFaultSpec(rest[0]!))));
      return 0;
    }
    if (sub === 'stats') {
      console.log(JSON.stringify(await admin(url, 'GET', '/stats'), null, 2));
      return 0;
    }
    console.error(`attain sandbox: unknown subcommand "${sub}"\n\n${HELP}`);
    return 2;
  } catch (error) {
    console.error(`attain sandbox: ${(error as Error).message}`);
    return 1;
  }
}

export default { summary: 'Run a local HubSpot (reference scenario, limits, faults) or change a deal in it', run };
