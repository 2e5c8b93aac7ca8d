/**
 * The sandbox portal's data and the operations HubSpot's endpoints perform on it. Pure in-memory state; the
 * HTTP layer (./server.ts) adds auth, limits, faults and HubSpot's response shapes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CustomObjects } from './custom-objects.js';
import type {
  HubSpotScenario,
  ScenarioObject,
  ScenarioOwner,
  ScenarioPipeline,
  ScenarioSplit,
  ScenarioTeam,
} from './scenario.js';
import {
  compare,
  compareForSort,
  matchesFilter,
  sortValue,
  toComparable,
  type Comparable,
  type Filter,
  type PropertyKind,
  type SearchRequest,
} from './search.js';

export interface SandboxObject {
  id: string;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface SandboxProperty {
  name: string;
  label: string;
  description: string;
  groupName: string;
  type: string;
  fieldType: string;
  options: Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>;
  calculated: boolean;
  hubspotDefined: boolean;
  readOnlyValue: boolean;
  showCurrencySymbol?: boolean;
  formField: boolean;
  displayOrder: number;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export type ObjectType = 'deals' | 'goal_targets' | 'contacts';

/** A change webhooks may report. */
export interface ChangeEvent {
  objectId: string;
  kind: 'creation' | 'propertyChange' | 'deletion';
  propertyName?: string;
  propertyValue?: string;
  changeSource: 'API' | 'CRM_UI';
  occurredAt: number;
}

export interface TokenRecord {
  token: string;
  appId: number;
  /** null = never expires (private app token). */
  expiresAt: number | null;
  scopes: string[];
  userId: number;
}

function property(
  name: string,
  label: string,
  type: string,
  fieldType: string,
  extra: Partial<SandboxProperty> = {},
): SandboxProperty {
  return {
    name,
    label,
    description: '',
    groupName: 'dealinformation',
    type,
    fieldType,
    options: [],
    calculated: false,
    hubspotDefined: true,
    readOnlyValue: false,
    formField: true,
    displayOrder: -1,
    archived: false,
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
}

function builtInProperties(objectType: ObjectType): SandboxProperty[] {
  const common = [
    property('hs_object_id', 'Record ID', 'number', 'number', { readOnlyValue: true }),
    property('hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { readOnlyValue: true }),
    property('createdate', 'Create Date', 'datetime', 'date'),
    property('hubspot_owner_id', 'Owner', 'enumeration', 'select'),
  ];
  if (objectType === 'deals') {
    return [
      ...common,
      property('dealname', 'Deal Name', 'string', 'text'),
      property('amount', 'Amount', 'number', 'number', { showCurrencySymbol: true }),
      property('deal_currency_code', 'Currency', 'enumeration', 'select'),
      property('amount_in_home_currency', 'Amount in company currency', 'number', 'calculation_equation', {
        calculated: true,
        readOnlyValue: true,
      }),
      property('dealstage', 'Deal Stage', 'enumeration', 'radio'),
      property('pipeline', 'Pipeline', 'enumeration', 'select'),
      property('closedate', 'Close Date', 'datetime', 'date'),
      property('dealtype', 'Deal Type', 'enumeration', 'radio'),
      property('hs_deal_stage_probability', 'Deal Stage Probability', 'number', 'number', {
        readOnlyValue: true,
        calculated: true,
      }),
      property('hs_forecast_probability', 'Forecast probability', 'number', 'number'),
    ];
  }
  if (objectType === 'goal_targets') {
    return [
      ...common,
      property('hs_goal_name', 'Goal name', 'string', 'text'),
      property('hs_target_amount', 'Target amount', 'number', 'number'),
      property('hs_start_datetime', 'Start date', 'datetime', 'date'),
      property('hs_end_datetime', 'End date', 'datetime', 'date'),
      property('hs_assignee_team_id', 'Assignee team', 'enumeration', 'select'),
    ];
  }
  return [
    ...common,
    property('email', 'Email', 'string', 'text'),
    property('firstname', 'First Name', 'string', 'text'),
    property('lastname', 'Last Name', 'string', 'text'),
  ];
}

interface IndexEntry {
  o: SandboxObject;
  id: string;
  v: Comparable | null;
}

/** Entries without a value sort last; the first of them. */
function firstMissing(index: readonly IndexEntry[]): number {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index[mid]!.v === null) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First position whose value is ≥ target (or > target when `after`), among the entries that have one. */
function bound(index: readonly IndexEntry[], target: Comparable, after: boolean): number {
  let lo = 0;
  let hi = firstMissing(index);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(index[mid]!.v!, target);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SandboxValidationError extends Error {
  constructor(
    message: string,
    readonly category = 'VALIDATION_ERROR',
  ) {
    super(message);
  }
}

export class SandboxPortal {
  readonly portalId: number;
  timeZone: string;
  companyCurrency: string;
  additionalCurrencies: string[];
  dealSplits: boolean;
  customObjects: boolean;
  /** Custom object schemas and records (used only while `customObjects` is on). */
  readonly custom: CustomObjects;
  readonly teams = new Map<string, ScenarioTeam>();
  readonly owners = new Map<string, ScenarioOwner>();
  pipelines: ScenarioPipeline[] = [];
  readonly objects: Record<ObjectType, Map<string, SandboxObject>> = {
    deals: new Map(),
    goal_targets: new Map(),
    contacts: new Map(),
  };
  readonly properties: Record<ObjectType, Map<string, SandboxProperty>> = {
    deals: new Map(),
    goal_targets: new Map(),
    contacts: new Map(),
  };
  readonly groups: Record<ObjectType, Map<string, PropertyGroup>> = {
    deals: new Map(),
    goal_targets: new Map(),
    contacts: new Map(),
  };
  readonly dealContacts = new Map<string, string[]>();
  readonly splits = new Map<string, ScenarioSplit[]>();
  readonly tokens = new Map<string, TokenRecord>();
  private readonly listeners: Array<(e: ChangeEvent) => void> = [];
  private lastStamp = 0;
  private nextDealId = 0;
  private sortCache = new Map<string, IndexEntry[]>();

  constructor(
    scenario: HubSpotScenario,
    private readonly now: () => number,
  ) {
    this.portalId = scenario.portal.portalId;
    this.timeZone = scenario.portal.timeZone;
    this.companyCurrency = scenario.portal.companyCurrency;
    this.additionalCurrencies = [...scenario.portal.additionalCurrencies];
    this.dealSplits = scenario.portal.dealSplits;
    this.customObjects = scenario.portal.customObjects;
    this.custom = new CustomObjects(this.portalId, this.now);
    for (const type of Object.keys(this.properties) as ObjectType[]) {
      for (const p of builtInProperties(type)) this.properties[type].set(p.name, p);
      const defaultGroup =
        type === 'deals' ? 'dealinformation' : type === 'contacts' ? 'contactinformation' : 'goalinformation';
      this.groups[type].set(defaultGroup, {
        name: defaultGroup,
        label: 'Information',
        displayOrder: 0,
        archived: false,
      });
    }
    for (const t of scenario.teams) this.teams.set(t.id, { ...t });
    for (const o of scenario.owners) this.owners.set(o.id, structuredClone(o));
    this.pipelines = structuredClone(scenario.pipelines);
    const start = this.now();
    const load = (type: ObjectType, list: readonly ScenarioObject[]) => {
      for (const o of list) {
        const created = o.properties['createdate'] ? Date.parse(o.properties['createdate']) : start;
        const modified = o.properties['hs_lastmodifieddate'] ? Date.parse(o.properties['hs_lastmodifieddate']) : start;
        this.objects[type].set(o.id, {
          id: o.id,
          properties: { ...o.properties, hs_object_id: o.id, hs_lastmodifieddate: new Date(modified).toISOString() },
          createdAt: created,
          updatedAt: modified,
        });
        this.nextDealId = Math.max(this.nextDealId, Number(o.id));
      }
    };
    load('deals', scenario.deals);
    load('goal_targets', scenario.goals);
    load('contacts', scenario.contacts);
    for (const [deal, contacts] of Object.entries(scenario.dealContacts)) this.dealContacts.set(deal, [...contacts]);
    for (const [deal, splits] of Object.entries(scenario.splits))
      this.splits.set(
        deal,
        splits.map((s) => ({ ...s })),
      );
  }

  onChange(listener: (e: ChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  kindOf(type: ObjectType, name: string): PropertyKind {
    const p = this.properties[type].get(name);
    if (!p) return 'text';
    if (p.type === 'number') return 'number';
    if (p.type === 'datetime' || p.type === 'date') return 'datetime';
    return 'text';
  }

  /**
   * Search results in order; the HTTP layer pages them. Filters on the (ascending) sort property become
   * binary-searched bounds on the cached sorted index, so a keyset page over 100,000 deals does not scan them.
   */
  search(type: ObjectType, request: SearchRequest): SandboxObject[] {
    const unknown = request.filterGroups
      .flatMap((g) => g.filters)
      .find((f) => !this.properties[type].has(f.propertyName));
    if (unknown)
      throw new SandboxValidationError(
        `There was a problem with the request: property ${unknown.propertyName} does not exist on ${type}`,
      );
    const sort = request.sorts[0] ?? { propertyName: 'hs_object_id', direction: 'ASCENDING' as const };
    const index = this.sorted(type, sort.propertyName, sort.direction === 'DESCENDING');
    const withKinds = (filters: Filter[]) => filters.map((f) => ({ f, kind: this.kindOf(type, f.propertyName) }));
    if (request.filterGroups.length === 0) return index.map((e) => e.o);
    if (request.filterGroups.length > 1 || sort.direction === 'DESCENDING') {
      const groups = request.filterGroups.map((g) => withKinds(g.filters));
      return index
        .filter((e) => groups.some((g) => g.every(({ f, kind }) => matchesFilter(e.o.properties, f, kind))))
        .map((e) => e.o);
    }
    const kind = this.kindOf(type, sort.propertyName);
    let lo = 0;
    let hi = firstMissing(index);
    const rest: Filter[] = [];
    for (const f of request.filterGroups[0]!.filters) {
      const target = f.propertyName === sort.propertyName ? toComparable(f.value ?? '', kind) : null;
      if (target === null || !['GT', 'GTE', 'EQ', 'LT', 'LTE'].includes(f.operator)) {
        rest.push(f);
        continue;
      }
      if (f.operator === 'GT') lo = Math.max(lo, bound(index, target, true));
      if (f.operator === 'GTE' || f.operator === 'EQ') lo = Math.max(lo, bound(index, target, false));
      if (f.operator === 'LT') hi = Math.min(hi, bound(index, target, false));
      if (f.operator === 'LTE' || f.operator === 'EQ') hi = Math.min(hi, bound(index, target, true));
    }
    const others = withKinds(rest);
    const out: SandboxObject[] = [];
    for (let i = lo; i < hi; i++) {
      const o = index[i]!.o;
      if (others.every(({ f, kind: k }) => matchesFilter(o.properties, f, k))) out.push(o);
    }
    return out;
  }

  private sorted(type: ObjectType, name: string, descending: boolean): IndexEntry[] {
    const key = `${type}:${name}:${descending}`;
    let cached = this.sortCache.get(key);
    if (!cached) {
      const kind = this.kindOf(type, name);
      cached = [...this.objects[type].values()]
        .map((o) => ({ o, id: o.id, v: sortValue(o.properties, name, kind) }))
        .sort((a, b) => compareForSort(a, b, descending));
      this.sortCache.set(key, cached);
    }
    return cached;
  }

  /** A strictly increasing stamp: one batch shares it, like HubSpot's single write time for a batch. */
  private stamp(): number {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  /** Validates every input first, then applies all of them; unknown ids are per-record errors (207). */
  updateDeals(
    inputs: ReadonlyArray<{ id: string; properties: Record<string, string> }>,
    changeSource: ChangeEvent['changeSource'],
  ): { updated: SandboxObject[]; missing: string[] } {
    const ids = new Set<string>();
    for (const input of inputs) {
      if (ids.has(input.id))
        throw new SandboxValidationError(
          `Duplicate IDs found in batch input: [${input.id}]. IDs must be unique`,
          'VALIDATION_ERROR',
        );
      ids.add(input.id);
      for (const [name, value] of Object.entries(input.properties))
        this.validateValue('deals', name, value, changeSource === 'CRM_UI');
    }
    const stamp = this.stamp();
    const updated: SandboxObject[] = [];
    const missing: string[] = [];
    const events: ChangeEvent[] = [];
    for (const input of inputs) {
      const deal = this.objects.deals.get(input.id);
      if (!deal) {
        missing.push(input.id);
        continue;
      }
      for (const [name, raw] of Object.entries(input.properties)) {
        const value = this.normalize('deals', name, raw);
        if ((deal.properties[name] ?? '') === value) continue;
        if (value === '') delete deal.properties[name];
        else deal.properties[name] = value;
        events.push({
          objectId: deal.id,
          kind: 'propertyChange',
          propertyName: name,
          propertyValue: value,
          changeSource,
          occurredAt: stamp,
        });
      }
      if (deal.properties['deal_currency_code'] === this.companyCurrency && 'amount' in input.properties) {
        deal.properties['amount_in_home_currency'] = deal.properties['amount'] ?? '';
      }
      deal.updatedAt = stamp;
      deal.properties['hs_lastmodifieddate'] = new Date(stamp).toISOString();
      updated.push(deal);
    }
    this.sortCache.clear();
    for (const e of events) for (const l of this.listeners) l(e);
    return { updated, missing };
  }

  createDeal(properties: Record<string, string>): SandboxObject {
    for (const [name, value] of Object.entries(properties)) this.validateValue('deals', name, value, true);
    const stamp = this.stamp();
    const id = String(++this.nextDealId);
    const deal: SandboxObject = {
      id,
      properties: {
        ...properties,
        hs_object_id: id,
        createdate: new Date(stamp).toISOString(),
        hs_lastmodifieddate: new Date(stamp).toISOString(),
      },
      createdAt: stamp,
      updatedAt: stamp,
    };
    this.objects.deals.set(id, deal);
    this.sortCache.clear();
    for (const l of this.listeners) l({ objectId: id, kind: 'creation', changeSource: 'CRM_UI', occurredAt: stamp });
    return deal;
  }

  /** Deletes a deal the way a user does in HubSpot: gone from search and batch reads, a deletion event. */
  deleteDeal(id: string): boolean {
    if (!this.objects.deals.delete(id)) return false;
    this.dealContacts.delete(id);
    this.splits.delete(id);
    this.sortCache.clear();
    const stamp = this.stamp();
    for (const l of this.listeners) l({ objectId: id, kind: 'deletion', changeSource: 'CRM_UI', occurredAt: stamp });
    return true;
  }

  private validateValue(type: ObjectType, name: string, value: string, asUser: boolean): void {
    const p = this.properties[type].get(name);
    if (!p || p.archived)
      throw new SandboxValidationError(
        `Property values were not valid: [{"isValid":false,"message":"Property \\"${name}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${name}"}]`,
      );
    if (p.readOnlyValue && !asUser)
      throw new SandboxValidationError(
        `Property values were not valid: [{"isValid":false,"message":"${name} is a read only property; its value cannot be set.","error":"READ_ONLY_VALUE","name":"${name}"}]`,
      );
    if (value === '') return;
    if (p.type === 'number' && !/^-?\d+(\.\d+)?$/.test(value.trim())) {
      throw new SandboxValidationError(
        `Property values were not valid: [{"isValid":false,"message":"${JSON.stringify(value)} was not a valid number.","error":"INVALID_FLOAT","name":"${name}"}]`,
      );
    }
    if (
      (p.type === 'datetime' || p.type === 'date') &&
      Number.isNaN(/^\d+$/.test(value) ? Number(value) : Date.parse(value))
    ) {
      throw new SandboxValidationError(
        `Property values were not valid: [{"isValid":false,"message":"${JSON.stringify(value)} was not a valid long.","error":"INVALID_LONG","name":"${name}"}]`,
      );
    }
    if (name === 'dealstage' && !this.pipelines.some((pl) => pl.stages.some((s) => s.id === value))) {
      throw new SandboxValidationError(
        `Property values were not valid: [{"isValid":false,"message":"${value} was not one of the allowed options","error":"INVALID_OPTION","name":"dealstage"}]`,
      );
    }
  }

  /** HubSpot keeps datetimes as instants; numbers as sent. */
  private normalize(type: ObjectType, name: string, value: string): string {
    if (value === '') return '';
    const p = this.properties[type].get(name);
    if (p && (p.type === 'datetime' || p.type === 'date'))
      return new Date(/^\d+$/.test(value) ? Number(value) : Date.parse(value)).toISOString();
    return value;
  }

  findStage(idOrLabel: string) {
    const wanted = idOrLabel.toLowerCase();
    for (const p of this.pipelines)
      for (const s of p.stages)
        if (s.id.toLowerCase() === wanted || s.label.toLowerCase() === wanted) return { pipeline: p, stage: s };
    return null;
  }

  createProperty(
    type: ObjectType,
    input: Omit<
      SandboxProperty,
      'calculated' | 'hubspotDefined' | 'readOnlyValue' | 'archived' | 'createdAt' | 'updatedAt'
    >,
  ): SandboxProperty | 'exists' {
    if (this.properties[type].has(input.name)) return 'exists';
    if (!this.groups[type].has(input.groupName))
      throw new SandboxValidationError(`group ${input.groupName} does not exist`);
    const at = this.now();
    const p: SandboxProperty = {
      ...input,
      calculated: false,
      hubspotDefined: false,
      readOnlyValue: false,
      archived: false,
      createdAt: at,
      updatedAt: at,
    };
    this.properties[type].set(p.name, p);
    return p;
  }

  issueToken(appId: number, scopes: string[], ttlSeconds: number | null, token?: string): TokenRecord {
    const record: TokenRecord = {
      token: token ?? `${ttlSeconds === null ? 'pat' : 'oat'}-sandbox-${randomBytes(12).toString('hex')}`,
      appId,
      expiresAt: ttlSeconds === null ? null : this.now() + ttlSeconds * 1000,
      scopes,
      userId: 9_000_001,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  correlationId(): string {
    return randomUUID();
  }
}
