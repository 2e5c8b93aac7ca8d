/**
 * What a sandbox portal holds, as HubSpot data: owners with teams, pipelines, deals, contacts, goals and
 * splits. Scenarios come from a builder, from an Attain data set (the reference scenario), or from the
 * generator (N owners × M deals, for benchmarks).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dataSetSchema, type DataSet, type Deal } from '../../../src/data/index.js';
import { Decimal, toDecimalString } from '../../../src/money/index.js';
import { seededRandom } from '../seeded-random.js';

export interface ScenarioTeam {
  id: string;
  name: string;
}

export interface ScenarioOwner {
  id: string;
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
  /** Team ids; the first is the primary team. */
  teamIds: string[];
  archived?: boolean;
}

export interface ScenarioStage {
  id: string;
  label: string;
  isClosed: boolean;
  /** Decimal string, "1.0" for won. */
  probability: string;
}

export interface ScenarioPipeline {
  id: string;
  label: string;
  stages: ScenarioStage[];
}

export interface ScenarioObject {
  id: string;
  properties: Record<string, string>;
}

export interface ScenarioSplit {
  ownerId: string;
  /** Share of 1 as HubSpot writes it, e.g. "0.6". */
  percentage: string;
}

export interface HubSpotScenario {
  portal: {
    portalId: number;
    timeZone: string;
    companyCurrency: string;
    additionalCurrencies: string[];
    dealSplits: boolean;
    customObjects: boolean;
  };
  teams: ScenarioTeam[];
  owners: ScenarioOwner[];
  pipelines: ScenarioPipeline[];
  /** Deal properties as HubSpot stores them (strings); hs_lastmodifieddate is filled in when absent. */
  deals: ScenarioObject[];
  contacts: ScenarioObject[];
  dealContacts: Record<string, string[]>;
  goals: ScenarioObject[];
  splits: Record<string, ScenarioSplit[]>;
}

/** HubSpot's default sales pipeline, with its stage ids. */
export const DEFAULT_PIPELINE: ScenarioPipeline = {
  id: 'default',
  label: 'Sales Pipeline',
  stages: [
    { id: 'appointmentscheduled', label: 'Appointment Scheduled', isClosed: false, probability: '0.2' },
    { id: 'qualifiedtobuy', label: 'Qualified To Buy', isClosed: false, probability: '0.4' },
    { id: 'presentationscheduled', label: 'Presentation Scheduled', isClosed: false, probability: '0.6' },
    { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', isClosed: false, probability: '0.8' },
    { id: 'contractsent', label: 'Contract Sent', isClosed: false, probability: '0.9' },
    { id: 'closedwon', label: 'Closed Won', isClosed: true, probability: '1.0' },
    { id: 'closedlost', label: 'Closed Lost', isClosed: true, probability: '0.0' },
  ],
};

export function emptyScenario(portal: Partial<HubSpotScenario['portal']> = {}): HubSpotScenario {
  return {
    portal: {
      portalId: 4_711_001,
      timeZone: 'Europe/Copenhagen',
      companyCurrency: 'DKK',
      additionalCurrencies: [],
      dealSplits: true,
      customObjects: false,
      ...portal,
    },
    teams: [],
    owners: [],
    pipelines: [structuredClone(DEFAULT_PIPELINE)],
    deals: [],
    contacts: [],
    dealContacts: {},
    goals: [],
    splits: {},
  };
}

/** Noon UTC: the same calendar day in every time zone from UTC−11 to UTC+11. */
export function dayToInstant(day: string): string {
  return `${day}T12:00:00.000Z`;
}

/** Calendar periods ("2026", "2026-Q3", "2026-07") → [start, end) days. Fiscal calendars pass their own. */
export function calendarPeriod(periodId: string): { start: string; end: string } {
  const year = Number(periodId.slice(0, 4));
  const q = /^\d{4}-Q([1-4])$/.exec(periodId);
  const m = /^\d{4}-(\d{2})$/.exec(periodId);
  const day = (y: number, month: number) =>
    `${y + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-01`;
  if (q) {
    const first = (Number(q[1]) - 1) * 3 + 1;
    return { start: day(year, first), end: day(year, first + 3) };
  }
  if (m) return { start: day(year, Number(m[1])), end: day(year, Number(m[1]) + 1) };
  if (/^\d{4}$/.test(periodId)) return { start: `${year}-01-01`, end: `${year + 1}-01-01` };
  throw new Error(`[Attain] not a period id: ${periodId}`);
}

export interface DataSetMapping {
  scenario: HubSpotScenario;
  /** Attain id → HubSpot id, so tests can compare what the connector reads with what went in. */
  ownerIdOf: Record<string, string>;
  dealIdOf: Record<string, string>;
  teamIdOf: Record<string, string>;
  /** What HubSpot cannot hold (overlay splits, line items, payments, …), said out loud. */
  notMapped: string[];
}

export interface DataSetMappingOptions {
  portal?: Partial<HubSpotScenario['portal']>;
  /** Bounds of a quota's period; calendar periods by default. */
  periodBounds?: (periodId: string) => { start: string; end: string };
  /** hs_lastmodifieddate of the first deal; later deals follow a second apart. */
  modifiedFrom?: string;
}

/**
 * An Attain data set as a HubSpot portal: payees become owners (owner id ≠ user id, as in HubSpot), quotas
 * become goal targets, revenue splits become deal splits. Currencies other than the home currency turn
 * multi-currency on, with `amount_in_home_currency` from the data set's FX rates where one applies.
 */
export function scenarioFromDataSet(input: DataSet, options: DataSetMappingOptions = {}): DataSetMapping {
  const data = dataSetSchema.parse(input);
  const scenario = emptyScenario(options.portal);
  const home = scenario.portal.companyCurrency;
  const notMapped: string[] = [];
  const teamIdOf: Record<string, string> = {};
  const ownerIdOf: Record<string, string> = {};
  const dealIdOf: Record<string, string> = {};
  const bounds = options.periodBounds ?? calendarPeriod;

  data.teams.forEach((t, i) => {
    teamIdOf[t.id] = String(5_000_001 + i);
    scenario.teams.push({ id: teamIdOf[t.id]!, name: t.name });
  });
  data.payees.forEach((p, i) => {
    const ownerId = String(70_000_001 + i);
    ownerIdOf[p.id] = ownerId;
    const [firstName = p.name, ...rest] = p.name.split(' ');
    scenario.owners.push({
      id: ownerId,
      userId: 9_100_001 + i,
      email: p.email ?? `${p.id.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@attain-sandbox.example`,
      firstName,
      lastName: rest.join(' '),
      teamIds: p.teamId && teamIdOf[p.teamId] ? [teamIdOf[p.teamId]!] : [],
    });
  });
  if (data.payees.some((p) => p.managerId)) notMapped.push('payee managers (HubSpot owners carry no manager)');

  const stages = DEFAULT_PIPELINE.stages;
  const openStage = (deal: Deal) =>
    stages.find(
      (s) => !s.isClosed && deal.probability !== undefined && new Decimal(s.probability).equals(deal.probability),
    ) ?? stages[0]!;
  const customerNotMapped = data.deals.some((d) => d.customerId);
  const modifiedFrom = Date.parse(options.modifiedFrom ?? '2026-10-01T08:00:00.000Z');
  const currencies = new Set<string>();

  data.deals.forEach((deal, i) => {
    const id = String(30_000_000_001 + i);
    dealIdOf[deal.id] = id;
    const stage =
      stages.find((s) => s.id === deal.stage) ??
      (deal.status === 'won' ? stages[5]! : deal.status === 'lost' ? stages[6]! : openStage(deal));
    const props: Record<string, string> = {
      dealname: deal.name ?? deal.id,
      amount: deal.amount,
      deal_currency_code: deal.currency,
      dealstage: stage.id,
      pipeline: DEFAULT_PIPELINE.id,
      hs_lastmodifieddate: new Date(modifiedFrom + i * 1_000).toISOString(),
    };
    if (deal.ownerId) props['hubspot_owner_id'] = ownerIdOf[deal.ownerId] ?? deal.ownerId;
    if (deal.closeDate) props['closedate'] = dayToInstant(deal.closeDate);
    if (deal.createdDate) props['createdate'] = dayToInstant(deal.createdDate);
    if (deal.dealType) props['dealtype'] = deal.dealType;
    // A deal's own win probability is HubSpot's forecast probability (the stage's is only its default).
    if (deal.status === 'open' && deal.probability !== undefined) props['hs_forecast_probability'] = deal.probability;
    if (deal.currency !== home) currencies.add(deal.currency);
    const homeAmount = amountInHome(deal, home, data);
    if (homeAmount !== null) props['amount_in_home_currency'] = homeAmount;
    scenario.deals.push({ id, properties: props });

    const revenue = (deal.splits ?? []).filter((s) => s.type === 'revenue');
    if (revenue.length > 0)
      scenario.splits[id] = revenue.map((s) => ({ ownerId: ownerIdOf[s.payeeId] ?? s.payeeId, percentage: s.share }));
    if ((deal.splits ?? []).some((s) => s.type === 'overlay'))
      notMapped.push(`deal ${deal.id}: overlay splits (HubSpot splits always total 100 %)`);
    if (deal.lineItems || deal.invoiced || deal.cashReceived || deal.cancelledDate || deal.units)
      notMapped.push(`deal ${deal.id}: line items, invoicing, cash, units or cancellation`);
  });
  if (customerNotMapped) notMapped.push('deal customers (companies are not part of the sandbox)');
  scenario.portal.additionalCurrencies = [...new Set([...scenario.portal.additionalCurrencies, ...currencies])].sort();

  data.quotas.forEach((q, i) => {
    const { start, end } = bounds(q.periodId);
    scenario.goals.push({
      id: String(80_000_001 + i),
      properties: {
        hs_goal_name: `Revenue ${q.periodId}`,
        hs_target_amount: q.amount,
        hs_start_datetime: `${start}T00:00:00.000Z`,
        hs_end_datetime: new Date(Date.parse(`${end}T00:00:00.000Z`) - 1).toISOString(),
        hubspot_owner_id: ownerIdOf[q.payeeId] ?? q.payeeId,
      },
    });
  });
  if (data.payments.length > 0 || data.assignments.length > 0)
    notMapped.push('payments and plan assignments (Attain keeps them, not HubSpot)');
  return { scenario, ownerIdOf, dealIdOf, teamIdOf, notMapped };
}

function amountInHome(deal: Deal, home: string, data: DataSet): string | null {
  if (deal.currency === home) return deal.amount;
  const on = deal.closeDate ?? deal.createdDate;
  const rate = data.fxRates
    .filter((r) => r.from === deal.currency && r.to === home && (!on || r.date <= on))
    .sort((a, b) => b.date.localeCompare(a.date))[0];
  return rate ? toDecimalString(new Decimal(deal.amount).times(rate.rate).toDecimalPlaces(2)) : null;
}

export const REFERENCE_SCENARIO_PATH = 'examples/reference-scenario/data.json';

/** The reference scenario's data set, when its file exists (it may wrap the data set in `data`). */
export function loadReferenceDataSet(path = REFERENCE_SCENARIO_PATH): DataSet | null {
  if (!existsSync(path)) return null;
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const candidate = 'payees' in json ? json : json['data'];
  const parsed = dataSetSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new Error(
      `[Attain] ${path} is not an Attain data set: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export interface GeneratorOptions {
  owners: number;
  dealsPerOwner: number;
  seed?: number;
  ownersPerTeam?: number;
  /** First hs_lastmodifieddate; later deals follow `stepMs` apart (0 = every deal stamped alike). */
  modifiedFrom?: string;
  stepMs?: number;
  /** Share of deals with a 60/40 split with the next owner. */
  splitShare?: number;
  contactsPerDeal?: number;
  year?: number;
}

/** N owners × M deals with quarterly goals, deterministic for a seed. Amounts are whole DKK with øre. */
export function generateScenario(options: GeneratorOptions): HubSpotScenario {
  const {
    owners,
    dealsPerOwner,
    seed = 7,
    ownersPerTeam = 10,
    stepMs = 1_000,
    splitShare = 0.1,
    contactsPerDeal = 1,
    year = 2026,
  } = options;
  const random = seededRandom(seed);
  const scenario = emptyScenario();
  const teamCount = Math.max(1, Math.ceil(owners / ownersPerTeam));
  for (let t = 0; t < teamCount; t++) scenario.teams.push({ id: String(5_000_001 + t), name: `Team ${t + 1}` });
  for (let o = 0; o < owners; o++) {
    scenario.owners.push({
      id: String(70_000_001 + o),
      userId: 9_100_001 + o,
      email: `seller${o + 1}@attain-sandbox.example`,
      firstName: 'Seller',
      lastName: String(o + 1),
      teamIds: [scenario.teams[Math.floor(o / ownersPerTeam)]!.id],
    });
    for (let q = 1; q <= 4; q++) {
      const { start, end } = calendarPeriod(`${year}-Q${q}`);
      scenario.goals.push({
        id: String(80_000_001 + o * 4 + (q - 1)),
        properties: {
          hs_goal_name: `Revenue ${year}-Q${q}`,
          hs_target_amount: '900000',
          hs_start_datetime: `${start}T00:00:00.000Z`,
          hs_end_datetime: new Date(Date.parse(`${end}T00:00:00.000Z`) - 1).toISOString(),
          hubspot_owner_id: String(70_000_001 + o),
        },
      });
    }
  }
  const modifiedFrom = Date.parse(options.modifiedFrom ?? `${year}-10-01T08:00:00.000Z`);
  const stages = DEFAULT_PIPELINE.stages;
  let contactId = 40_000_001;
  const total = owners * dealsPerOwner;
  for (let i = 0; i < total; i++) {
    const owner = i % owners;
    const id = String(30_000_000_001 + i);
    const r = random();
    const stage = r < 0.3 ? stages[5]! : r < 0.45 ? stages[6]! : stages[Math.floor(random() * 5)]!;
    const day = new Date(Date.UTC(year, 0, 1) + Math.floor(random() * 365) * 86_400_000).toISOString().slice(0, 10);
    const amount = `${10_000 + Math.floor(random() * 490_000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
    scenario.deals.push({
      id,
      properties: {
        dealname: `Deal ${i + 1}`,
        amount,
        deal_currency_code: 'DKK',
        amount_in_home_currency: amount,
        dealstage: stage.id,
        pipeline: 'default',
        closedate: dayToInstant(day),
        createdate: dayToInstant(`${year}-01-01`),
        hubspot_owner_id: scenario.owners[owner]!.id,
        dealtype: random() < 0.5 ? 'newbusiness' : 'existingbusiness',
        hs_lastmodifieddate: new Date(modifiedFrom + i * stepMs).toISOString(),
      },
    });
    if (owners > 1 && random() < splitShare) {
      scenario.splits[id] = [
        { ownerId: scenario.owners[owner]!.id, percentage: '0.6' },
        { ownerId: scenario.owners[(owner + 1) % owners]!.id, percentage: '0.4' },
      ];
    }
    const contacts: string[] = [];
    for (let c = 0; c < contactsPerDeal; c++) {
      const cid = String(contactId++);
      scenario.contacts.push({
        id: cid,
        properties: { email: `buyer${cid}@customer.example`, firstname: 'Buyer', lastname: cid },
      });
      contacts.push(cid);
    }
    if (contacts.length > 0) scenario.dealContacts[id] = contacts;
  }
  return scenario;
}
