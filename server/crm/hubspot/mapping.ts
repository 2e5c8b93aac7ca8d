/**
 * HubSpot records → Attain domain records (src/data), the only place that knows both shapes.
 * Every result is parsed with the domain's zod schema; a record that does not fit becomes a RecordProblem
 * with field-level messages instead of stopping the sync.
 *
 * Identity: a payee's id is the HubSpot **owner** id (what `hubspot_owner_id` on deals and splits holds);
 * the owner's user id is kept in `crm.hubspotUserId` because the two differ.
 */
import {
  dealSchema,
  payeeSchema,
  quotaSchema,
  splitSchema,
  type Deal,
  type Payee,
  type Quota,
  type Split,
  type Team,
} from '../../../src/data/index.js';
import { Decimal, toDecimalString } from '../../../src/money/index.js';
import type { Pipeline, PipelineStage, RecordProblem } from '../port.js';
import { issues, type CrmObject, type HubSpotOwner } from './schemas.js';
import type { z } from 'zod';

/** Deal properties the adapter reads; more can be asked for per connector. */
export const DEAL_PROPERTIES = [
  'dealname',
  'amount',
  'deal_currency_code',
  'amount_in_home_currency',
  'dealstage',
  'pipeline',
  'closedate',
  'createdate',
  'hubspot_owner_id',
  'dealtype',
  'hs_forecast_probability',
  'hs_lastmodifieddate',
] as const;

export const GOAL_PROPERTIES = [
  'hs_goal_name',
  'hs_target_amount',
  'hs_start_datetime',
  'hs_end_datetime',
  'hubspot_owner_id',
  'hs_assignee_team_id',
] as const;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** HubSpot number properties arrive as strings ("1080000", "1080000.0", rarely "1.08E6"); keep them exact. */
export function normalizeNumber(value: string): string | null {
  const text = value.trim();
  if (!NUMBER.test(text)) return null;
  return toDecimalString(new Decimal(text));
}

/** A HubSpot datetime (ISO instant or epoch ms) cut to the calendar day in the portal's time zone. */
export function toIsoDate(value: string, timeZone: string): string | null {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const parts = dayFormatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** HubSpot's last-modified value as an ISO instant (it is an ISO string in v3, epoch ms in some filters). */
export function toInstant(value: string): string | null {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function parsed<T>(
  schema: z.ZodType<T>,
  value: unknown,
  objectType: RecordProblem['objectType'],
  id: string,
): { ok: T } | { problem: RecordProblem } {
  const result = schema.safeParse(value);
  return result.success ? { ok: result.data } : { problem: { objectType, id, messages: issues(result.error) } };
}

export function mapOwner(owner: HubSpotOwner): { payee: Payee } | { problem: RecordProblem } {
  const name =
    [owner.firstName, owner.lastName]
      .filter((s) => s && s.trim())
      .join(' ')
      .trim() ||
    owner.email ||
    `Owner ${owner.id}`;
  const primary = owner.teams?.find((t) => t.primary) ?? owner.teams?.[0];
  const r = parsed(
    payeeSchema,
    {
      id: owner.id,
      name,
      ...(owner.email ? { email: owner.email } : {}),
      teamId: primary?.id ?? null,
      crm: { hubspotOwnerId: owner.id, ...(owner.userId != null ? { hubspotUserId: String(owner.userId) } : {}) },
    },
    'owner',
    owner.id,
  );
  return 'ok' in r ? { payee: r.ok } : r;
}

/** HubSpot has no team hierarchy or team manager in the owners API: teams come flat. */
export function teamsOf(owners: readonly HubSpotOwner[]): Team[] {
  const teams = new Map<string, Team>();
  for (const o of owners)
    for (const t of o.teams ?? []) if (!teams.has(t.id)) teams.set(t.id, { id: t.id, name: t.name });
  return [...teams.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function mapStage(stage: {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
}): PipelineStage {
  const isClosed = stage.metadata['isClosed'] === 'true';
  const rawProbability = stage.metadata['probability'];
  const probability = rawProbability !== undefined ? normalizeNumber(rawProbability) : null;
  return {
    id: stage.id,
    label: stage.label,
    displayOrder: stage.displayOrder,
    isClosed,
    // HubSpot marks a won stage only by being closed with probability 1.
    isWon: isClosed && probability !== null && new Decimal(probability).equals(1),
    probability,
  };
}

export interface DealContext {
  stages: ReadonlyMap<string, PipelineStage>;
  homeCurrency: string;
  multiCurrency: boolean;
  timeZone: string;
}

export function stageIndex(pipelines: readonly Pipeline[]): Map<string, PipelineStage> {
  const index = new Map<string, PipelineStage>();
  for (const p of pipelines) for (const s of p.stages) index.set(s.id, s);
  return index;
}

export function mapDeal(object: CrmObject, ctx: DealContext): { deal: Deal } | { problem: RecordProblem } {
  const p = object.properties;
  const messages: string[] = [];
  const text = (name: string) => {
    const v = p[name];
    return v === null || v === undefined || v.trim() === '' ? null : v;
  };
  const number = (name: string) => {
    const v = text(name);
    if (v === null) return null;
    const n = normalizeNumber(v);
    if (n === null) messages.push(`${name}: "${v}" is not a number`);
    return n;
  };
  const date = (name: string) => {
    const v = text(name);
    if (v === null) return null;
    const d = toIsoDate(v, ctx.timeZone);
    if (d === null) messages.push(`${name}: "${v}" is not a date`);
    return d;
  };

  const stageId = text('dealstage');
  const stage = stageId === null ? undefined : ctx.stages.get(stageId);
  if (stageId !== null && !stage) messages.push(`dealstage: unknown stage "${stageId}" (not in any deal pipeline)`);
  const status: Deal['status'] = stage?.isWon ? 'won' : stage?.isClosed ? 'lost' : 'open';
  const currency = ctx.multiCurrency ? (text('deal_currency_code') ?? ctx.homeCurrency) : ctx.homeCurrency;
  // A deal without an amount is worth nothing yet; HubSpot allows that and so do we.
  const amount = number('amount') ?? '0';
  const homeAmount = ctx.multiCurrency ? number('amount_in_home_currency') : null;
  // The seller's own forecast probability wins over the stage's default.
  const forecast = number('hs_forecast_probability');
  const closeDate = date('closedate');
  const createdDate = date('createdate');
  if (messages.length > 0) return { problem: { objectType: 'deal', id: object.id, messages } };

  const attributes: Record<string, string> = {};
  if (homeAmount !== null && currency !== ctx.homeCurrency) {
    attributes['amountInHomeCurrency'] = homeAmount;
    attributes['homeCurrency'] = ctx.homeCurrency;
  }
  const r = parsed(
    dealSchema,
    {
      id: object.id,
      ...(text('dealname') !== null ? { name: text('dealname') } : {}),
      ownerId: text('hubspot_owner_id'),
      amount,
      currency,
      status,
      closeDate,
      ...(createdDate !== null ? { createdDate } : {}),
      ...(status === 'open' && (forecast ?? stage?.probability) != null
        ? { probability: forecast ?? stage?.probability }
        : {}),
      ...(text('pipeline') !== null ? { pipeline: text('pipeline') } : {}),
      ...(stageId !== null ? { stage: stageId } : {}),
      ...(text('dealtype') !== null ? { dealType: text('dealtype') } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    },
    'deal',
    object.id,
  );
  return 'ok' in r ? { deal: r.ok } : r;
}

/** Deal split objects → revenue splits; `hs_deal_split_percentage` is a share of 1 ("0.6"). */
export function mapSplits(
  dealId: string,
  splits: readonly CrmObject[],
): { splits: Split[] } | { problem: RecordProblem } {
  const out: Split[] = [];
  const messages: string[] = [];
  for (const s of splits) {
    const owner = s.properties['hubspot_owner_id'];
    const raw = s.properties['hs_deal_split_percentage'];
    const share = raw == null ? null : normalizeNumber(raw);
    if (!owner) messages.push(`split ${s.id}: hubspot_owner_id is missing`);
    if (share === null) messages.push(`split ${s.id}: hs_deal_split_percentage "${raw ?? ''}" is not a number`);
    if (!owner || share === null) continue;
    const r = splitSchema.safeParse({ payeeId: owner, share, type: 'revenue' });
    if (r.success) out.push(r.data);
    else messages.push(...issues(r.error).map((m) => `split ${s.id} ${m}`));
  }
  return messages.length > 0 ? { problem: { objectType: 'split', id: dealId, messages } } : { splits: out };
}

/** Goal targets of one period → one quota per owner (slices such as months add up to the period). */
export function mapGoals(
  periodId: string,
  goals: readonly CrmObject[],
): { quotas: Quota[]; problems: RecordProblem[] } {
  const totals = new Map<string, Decimal>();
  const problems: RecordProblem[] = [];
  for (const g of goals) {
    const owner = g.properties['hubspot_owner_id'];
    if (!owner) continue; // team goals are not personal quotas
    const raw = g.properties['hs_target_amount'];
    const amount = raw == null ? null : normalizeNumber(raw);
    if (amount === null) {
      problems.push({ objectType: 'goal', id: g.id, messages: [`hs_target_amount: "${raw ?? ''}" is not a number`] });
      continue;
    }
    totals.set(owner, (totals.get(owner) ?? new Decimal(0)).plus(amount));
  }
  const quotas: Quota[] = [];
  for (const [payeeId, total] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
    const r = parsed(quotaSchema, { payeeId, periodId, amount: toDecimalString(total) }, 'goal', payeeId);
    if ('ok' in r) quotas.push(r.ok);
    else problems.push(r.problem);
  }
  return { quotas, problems };
}
