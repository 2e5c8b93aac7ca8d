/**
 * The HubSpot adapter of the CrmConnector port. One instance per portal; every request goes through the
 * portal's caller (shared limiter, retries). Payloads are zod-parsed and mapped in ./mapping.ts.
 */
import type { Payee, Team } from '../../../src/data/index.js';
import { attainmentKey } from '../port.js';
import type {
  AttainmentObject,
  AttainmentRecord,
  AttainmentWriteResult,
  Capabilities,
  CrmConnector,
  DealPage,
  DealRead,
  DealWrite,
  GoalQuery,
  GoalRead,
  Pipeline,
  PropertyProblem,
  ProvisioningReport,
  RecordProblem,
  ResultField,
  SplitRead,
  WriteResult,
} from '../port.js';
import { DEFAULT_TIMEOUT_MS, HubSpotCaller, type RetryEvent, type RetryPolicy } from './caller.js';
import type { Agent } from 'node:http';
import {
  buildApiGroups,
  callOptions,
  getJson,
  HUBSPOT_API,
  idleTimeoutAgent,
  type AccessTokenSource,
  type ApiGroups,
} from './client.js';
import {
  ATTAINMENT_KEY_PROPERTY,
  ATTAINMENT_PROPERTY_BY_FIELD,
  ATTAINMENT_SCHEMA,
  customSchemaSchema,
  customSchemasSchema,
  schemaProblems,
  ATTAINMENT_OBJECT_NAME,
} from './attainment-object.js';
import { HubSpotError } from './errors.js';
import {
  DEFAULT_PORTAL_LIMITS,
  processPortalBudgets,
  systemClock,
  type Clock,
  type PortalBudgets,
  type PortalLimits,
} from './limiter.js';
import {
  DEAL_PROPERTIES,
  GOAL_PROPERTIES,
  mapDeal,
  mapGoals,
  mapOwner,
  mapSplits,
  mapStage,
  stageIndex,
  teamsOf,
  toInstant,
  type DealContext,
} from './mapping.js';
import { ATTAIN_DEAL_PROPERTIES, ATTAIN_GROUP, checkDefinitions, createBody, PROPERTY_BY_FIELD } from './properties.js';
import {
  accountDetailsSchema,
  associationsBatchSchema,
  batchObjectsSchema,
  crmObjectSchema,
  dealSplitsBatchSchema,
  issues,
  ownerPageSchema,
  ownerSchema,
  pipelinesSchema,
  propertiesSchema,
  searchPageSchema,
  type AccountDetails,
  type CrmObject,
  type HubSpotOwner,
  type StandardError,
} from './schemas.js';

export const BATCH_LIMIT = 100;
export const SEARCH_PAGE_LIMIT = 200;

export interface HubSpotConnectorOptions {
  /** Keys the shared per-portal budget (the portal id; any stable string in single-portal mode). */
  portalKey: string;
  accessToken: AccessTokenSource;
  basePath?: string;
  limits?: PortalLimits;
  budgets?: PortalBudgets;
  retry?: RetryPolicy;
  timeoutMs?: number;
  clock?: Clock;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
  /** Extra deal properties to read (custom crediting attributes). */
  extraDealProperties?: string[];
  /**
   * Batches in flight at once (default 4): enough to keep the budget busy when HubSpot answers slowly;
   * the limiter, not this number, decides the rate.
   */
  batchConcurrency?: number;
}

export class HubSpotConnector implements CrmConnector {
  readonly crm = 'hubspot' as const;
  private readonly api: ApiGroups;
  private readonly caller: HubSpotCaller;
  private readonly agent: Agent;
  private readonly dealProperties: string[];
  private account: Promise<AccountDetails> | null = null;
  private dealContext: Promise<DealContext> | null = null;
  private attainmentObject: Promise<AttainmentObject> | null = null;

  constructor(private readonly options: HubSpotConnectorOptions) {
    const limits = options.limits ?? DEFAULT_PORTAL_LIMITS;
    this.api = buildApiGroups(options.basePath ?? HUBSPOT_API);
    this.agent = idleTimeoutAgent(options.basePath ?? HUBSPOT_API, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.caller = new HubSpotCaller({
      budget: (options.budgets ?? processPortalBudgets).forPortal(options.portalKey, limits),
      intervalMs: limits.intervalMs,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      clock: options.clock ?? systemClock,
      ...(options.random ? { random: options.random } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
    this.dealProperties = [...new Set([...DEAL_PROPERTIES, ...(options.extraDealProperties ?? [])])];
  }

  /** Call options carrying the current access token (refreshed ahead of expiry by the token source). */
  private async auth() {
    return callOptions(await this.options.accessToken(), this.agent);
  }

  /** The portal's id, currency settings and time zone; read once. */
  accountDetails(): Promise<AccountDetails> {
    if (!this.account) {
      const loading = this.caller
        .call('account details', async () =>
          getJson(this.api.raw, '/account-info/v3/details', await this.options.accessToken()),
        )
        .then((body) => accountDetailsSchema.parse(body));
      loading.catch(() => {
        if (this.account === loading) this.account = null;
      });
      this.account = loading;
    }
    return this.account;
  }

  async capabilities(): Promise<Capabilities> {
    const account = await this.accountDetails();
    return {
      customObjects: await this.probe('custom object schemas', async () =>
        this.api.schemas.getAll(false, await this.auth()),
      ),
      // An id that cannot exist: a portal with splits answers per record, one without refuses the endpoint.
      dealSplits: await this.probe('deal splits', async () =>
        this.api.dealSplitsBatch.read({ inputs: [{ id: '0' }] }, await this.auth()),
      ),
      multiCurrency: account.additionalCurrencies.length > 0,
      homeCurrency: account.companyCurrency,
      timeZone: account.timeZone,
    };
  }

  /** Splits items into batches of 100, sends up to `batchConcurrency` at once, answers in input order. */
  private async inBatches<T, R>(
    items: readonly T[],
    send: (chunk: T[]) => Promise<R>,
  ): Promise<Array<{ chunk: T[]; body: R }>> {
    const all = chunks(items, BATCH_LIMIT);
    const out: Array<{ chunk: T[]; body: R }> = new Array(all.length);
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const i = next++;
        out[i] = { chunk: all[i]!, body: await send(all[i]!) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.batchConcurrency ?? 4, all.length) }, worker));
    return out;
  }

  private async probe(label: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.caller.call(`probing ${label}`, send);
      return true;
    } catch (e) {
      if (e instanceof HubSpotError && (e.kind === 'forbidden' || e.kind === 'not-found' || e.kind === 'unauthorized'))
        return false;
      throw e;
    }
  }

  private async owners(): Promise<HubSpotOwner[]> {
    const owners: HubSpotOwner[] = [];
    let after: string | undefined;
    do {
      const page = ownerPageSchema.parse(
        await this.caller.call('listing owners', async () =>
          this.api.owners.getPage(undefined, after, 500, false, await this.auth()),
        ),
      );
      for (const raw of page.results) owners.push(ownerSchema.parse(raw));
      after = page.paging?.next?.after ?? undefined;
    } while (after);
    return owners;
  }

  async listPayees(): Promise<{ payees: Payee[]; problems: RecordProblem[] }> {
    const payees: Payee[] = [];
    const problems: RecordProblem[] = [];
    for (const owner of await this.owners()) {
      const r = mapOwner(owner);
      if ('payee' in r) payees.push(r.payee);
      else problems.push(r.problem);
    }
    return { payees, problems };
  }

  async listTeams(): Promise<Team[]> {
    return teamsOf(await this.owners());
  }

  async listPipelines(): Promise<Pipeline[]> {
    const body = pipelinesSchema.parse(
      await this.caller.call('listing deal pipelines', async () =>
        this.api.pipelines.getAll('deals', await this.auth()),
      ),
    );
    return body.results
      .filter((p) => !p.archived)
      .sort((a, b) => a.displayOrder - b.displayOrder)
      .map((p) => ({
        id: p.id,
        label: p.label,
        stages: p.stages
          .filter((s) => !s.archived)
          .sort((a, b) => a.displayOrder - b.displayOrder)
          .map(mapStage),
      }));
  }

  /** Currency, time zone and stage metadata for mapping deals; loaded once, shared by concurrent batches. */
  private context(refresh = false): Promise<DealContext> {
    if (!this.dealContext || refresh) {
      const loading = (async () => {
        const account = await this.accountDetails();
        return {
          stages: stageIndex(await this.listPipelines()),
          homeCurrency: account.companyCurrency,
          multiCurrency: account.additionalCurrencies.length > 0,
          timeZone: account.timeZone,
        };
      })();
      // A failed load is not cached: the next caller tries again.
      loading.catch(() => {
        if (this.dealContext === loading) this.dealContext = null;
      });
      this.dealContext = loading;
    }
    return this.dealContext;
  }

  /** Maps a batch of deal objects; an unknown stage reloads the pipelines once (a stage added meanwhile). */
  private async mapDeals(objects: readonly CrmObject[]) {
    let ctx = await this.context();
    if (objects.some((o) => o.properties['dealstage'] && !ctx.stages.has(o.properties['dealstage'])))
      ctx = await this.context(true);
    const deals: DealPage['deals'] = [];
    const problems: RecordProblem[] = [];
    for (const o of objects) {
      const r = mapDeal(o, ctx);
      if ('deal' in r) deals.push(r.deal);
      else problems.push(r.problem);
    }
    return { deals, problems };
  }

  private parseObjects(raw: readonly unknown[], objectType: RecordProblem['objectType']) {
    const objects: CrmObject[] = [];
    const problems: RecordProblem[] = [];
    for (const r of raw) {
      const parsed = crmObjectSchema.safeParse(r);
      if (parsed.success) objects.push(parsed.data);
      else
        problems.push({ objectType, id: String((r as { id?: unknown })?.id ?? '?'), messages: issues(parsed.error) });
    }
    return { objects, problems };
  }

  /**
   * Keyset paging on hs_lastmodifieddate: every page is a fresh search for "modified at or after the last
   * stamp seen", sorted ascending, skipping the ids already yielded at exactly that stamp. Offset paging
   * (`after`) would lose records: a deal modified mid-read moves to the end of the order and shifts an
   * unread deal into an offset already passed, and it stops at HubSpot's 10,000-result cap. A page made
   * only of one stamp falls back to paging that stamp by hs_object_id.
   */
  async *searchDealsModifiedSince(since?: string): AsyncGenerator<DealPage> {
    let watermark = since ? Date.parse(since) : 0;
    if (Number.isNaN(watermark)) throw new Error(`[Attain] since must be an ISO instant, got ${since}`);
    let boundary = new Set<string>();
    for (;;) {
      const page = await this.search(
        [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(watermark) }],
        'hs_lastmodifieddate',
      );
      const fresh = page.objects.filter((o) => !(stampOf(o) === watermark && boundary.has(o.id)));
      const last = page.objects.at(-1);
      const lastStamp = last ? stampOf(last) : watermark;
      if (fresh.length > 0 || page.problems.length > 0) {
        const nextBoundary = lastStamp === watermark ? new Set(boundary) : new Set<string>();
        for (const o of fresh) if (stampOf(o) === lastStamp) nextBoundary.add(o.id);
        yield await this.dealPage(fresh, page.problems, lastStamp);
        boundary = nextBoundary;
      }
      if (!page.full) return;
      if (lastStamp === watermark) {
        // More than a page of deals share one stamp: page through that stamp by id, then move past it.
        yield* this.sameStamp(watermark, boundary);
        watermark += 1;
        boundary = new Set();
      } else watermark = lastStamp;
    }
  }

  private async *sameStamp(stamp: number, alreadyYielded: ReadonlySet<string>): AsyncGenerator<DealPage> {
    let afterId = '0';
    for (;;) {
      const page = await this.search(
        [
          { propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(stamp) },
          { propertyName: 'hs_object_id', operator: 'GT', value: afterId },
        ],
        'hs_object_id',
      );
      const fresh = page.objects.filter((o) => !alreadyYielded.has(o.id));
      if (fresh.length > 0 || page.problems.length > 0) yield await this.dealPage(fresh, page.problems, stamp);
      if (!page.full) return;
      afterId = page.objects.at(-1)!.id;
    }
  }

  private async search(filters: Array<{ propertyName: string; operator: string; value: string }>, sortBy: string) {
    const request = {
      filterGroups: [{ filters }],
      // HubSpot's documented form; the SDK types `sorts` as string[] but sends what it is given.
      sorts: [{ propertyName: sortBy, direction: 'ASCENDING' }] as unknown as string[],
      properties: this.dealProperties,
      limit: SEARCH_PAGE_LIMIT,
    } as Parameters<ApiGroups['dealsSearch']['doSearch']>[0];
    const body = searchPageSchema.parse(
      await this.caller.call(
        'searching deals',
        async () => this.api.dealsSearch.doSearch(request, await this.auth()),
        'search',
      ),
    );
    const { objects, problems } = this.parseObjects(body.results, 'deal');
    const unstamped = objects.filter((o) => Number.isNaN(stampOf(o)));
    if (unstamped.length > 0)
      throw new Error(
        `[Attain] HubSpot returned deals without hs_lastmodifieddate: ${unstamped.map((o) => o.id).join(', ')}`,
      );
    return { objects, problems, full: body.results.length >= SEARCH_PAGE_LIMIT };
  }

  private async dealPage(
    objects: readonly CrmObject[],
    parseProblems: RecordProblem[],
    stamp: number,
  ): Promise<DealPage> {
    const { deals, problems } = await this.mapDeals(objects);
    return {
      deals,
      problems: [...parseProblems, ...problems],
      checkpoint: new Date(stamp).toISOString(),
      modifiedAt: modifiedAtOf(objects),
    };
  }

  async readDeals(ids: readonly string[]): Promise<DealRead> {
    const result: DealRead = { deals: [], problems: [], missing: [], modifiedAt: {} };
    const batches = await this.inBatches(unique(ids), async (chunk) =>
      batchObjectsSchema.parse(
        await this.caller.call('reading deals', async () =>
          this.api.dealsBatch.read(
            { inputs: chunk.map((id) => ({ id })), properties: this.dealProperties, propertiesWithHistory: [] },
            false,
            await this.auth(),
          ),
        ),
      ),
    );
    for (const { chunk, body } of batches) {
      const { objects, problems } = this.parseObjects(body.results, 'deal');
      const mapped = await this.mapDeals(objects);
      result.deals.push(...mapped.deals);
      result.problems.push(...problems, ...mapped.problems);
      Object.assign(result.modifiedAt, modifiedAtOf(objects));
      const found = new Set([...objects.map((o) => o.id), ...problems.map((p) => p.id)]);
      result.missing.push(...chunk.filter((id) => !found.has(id)));
    }
    return result;
  }

  async readSplits(dealIds: readonly string[]): Promise<SplitRead> {
    const result: SplitRead = { splits: {}, problems: [] };
    const batches = await this.inBatches(unique(dealIds), async (chunk) =>
      dealSplitsBatchSchema.parse(
        await this.caller.call('reading deal splits', async () =>
          this.api.dealSplitsBatch.read({ inputs: chunk.map((id) => ({ id })) }, await this.auth()),
        ),
      ),
    );
    for (const { chunk, body } of batches) {
      const answered = new Set((body.errors ?? []).flatMap((e) => e.context?.['ids'] ?? []));
      for (const entry of body.results) {
        answered.add(entry.id);
        const r = mapSplits(entry.id, entry.splits);
        if ('splits' in r) result.splits[entry.id] = r.splits;
        else result.problems.push(r.problem);
      }
      for (const id of chunk) if (!answered.has(id)) result.splits[id] = [];
    }
    return result;
  }

  async readDealContacts(dealIds: readonly string[]): Promise<Record<string, string[]>> {
    const contacts: Record<string, string[]> = {};
    for (const id of dealIds) contacts[id] = [];
    let pending = unique(dealIds).map((id) => ({ id, after: undefined as string | undefined }));
    while (pending.length > 0) {
      const next: typeof pending = [];
      const batches = await this.inBatches(pending, async (chunk) => {
        const inputs = chunk.map((p) => (p.after ? { id: p.id, after: p.after } : { id: p.id }));
        return associationsBatchSchema.parse(
          await this.caller.call('reading deal contacts', async () =>
            this.api.associationsBatch.getPage('deals', 'contacts', { inputs }, await this.auth()),
          ),
        );
      });
      // Deals without contacts come back as per-record errors (NO_ASSOCIATIONS_FOUND): an empty list.
      for (const { body } of batches) {
        for (const r of body.results) {
          (contacts[r._from.id] ??= []).push(...r.to.map((t) => t.toObjectId));
          const after = r.paging?.next?.after;
          if (after) next.push({ id: r._from.id, after });
        }
      }
      pending = next;
    }
    return contacts;
  }

  async readGoals(query: GoalQuery): Promise<GoalRead> {
    const start = Date.parse(`${query.start}T00:00:00Z`);
    const end = Date.parse(`${query.end}T00:00:00Z`);
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start)
      throw new Error(`[Attain] goal period ${query.start}..${query.end} is not a valid range`);
    const filters = [
      { propertyName: 'hs_start_datetime', operator: 'GTE', value: String(start) },
      { propertyName: 'hs_start_datetime', operator: 'LT', value: String(end) },
      { propertyName: 'hubspot_owner_id', operator: 'HAS_PROPERTY' },
      ...(query.goalName ? [{ propertyName: 'hs_goal_name', operator: 'EQ', value: query.goalName }] : []),
    ];
    const objects: CrmObject[] = [];
    const problems: RecordProblem[] = [];
    let after: string | undefined;
    do {
      const request = {
        filterGroups: [{ filters }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] as unknown as string[],
        properties: [...GOAL_PROPERTIES],
        limit: SEARCH_PAGE_LIMIT,
        ...(after ? { after } : {}),
      } as Parameters<ApiGroups['goalsSearch']['doSearch']>[0];
      const body = searchPageSchema.parse(
        await this.caller.call(
          'searching goals',
          async () => this.api.goalsSearch.doSearch(request, await this.auth()),
          'search',
        ),
      );
      const parsed = this.parseObjects(body.results, 'goal');
      objects.push(...parsed.objects);
      problems.push(...parsed.problems);
      after = body.paging?.next?.after ?? undefined;
    } while (after);
    const mapped = mapGoals(query.periodId, objects);
    return { quotas: mapped.quotas, problems: [...problems, ...mapped.problems] };
  }

  private async dealPropertyMap() {
    const body = propertiesSchema.parse(
      await this.caller.call('reading deal properties', async () =>
        this.api.propertiesCore.getAll('deals', false, undefined, await this.auth()),
      ),
    );
    return new Map(body.results.map((p) => [p.name, p]));
  }

  async ensureProperties(): Promise<ProvisioningReport> {
    const report: ProvisioningReport = { groupCreated: false, created: [], existing: [], problems: [] };
    try {
      await this.caller.call('creating the Attain property group', async () =>
        this.api.propertyGroups.create('deals', { ...ATTAIN_GROUP }, await this.auth()),
      );
      report.groupCreated = true;
    } catch (e) {
      if (!(e instanceof HubSpotError && e.kind === 'conflict')) throw e;
    }
    const existing = await this.dealPropertyMap();
    for (const def of ATTAIN_DEAL_PROPERTIES) {
      if (existing.has(def.name)) {
        report.existing.push(def.name);
        continue;
      }
      try {
        const body = createBody(def);
        await this.caller.call(`creating deal property ${def.name}`, async () =>
          this.api.propertiesCore.create(
            'deals',
            body as Parameters<ApiGroups['propertiesCore']['create']>[1],
            await this.auth(),
          ),
        );
        report.created.push(def.name);
      } catch (e) {
        // Created meanwhile by another instance (or by our own attempt whose answer was lost).
        if (!(e instanceof HubSpotError && e.kind === 'conflict')) throw e;
        report.existing.push(def.name);
      }
    }
    report.problems =
      report.created.length > 0 ? checkDefinitions(await this.dealPropertyMap()) : checkDefinitions(existing);
    return report;
  }

  async checkProperties(): Promise<PropertyProblem[]> {
    return checkDefinitions(await this.dealPropertyMap());
  }

  /** The attainment object's type id, creating the object when it is missing; looked up once per connector. */
  ensureAttainmentObject(): Promise<AttainmentObject> {
    if (!this.attainmentObject) {
      const loading = this.loadAttainmentObject();
      loading.catch(() => {
        if (this.attainmentObject === loading) this.attainmentObject = null;
      });
      this.attainmentObject = loading;
    }
    return this.attainmentObject;
  }

  private async findAttainmentObject() {
    const body = customSchemasSchema.parse(
      await this.caller.call('reading custom object schemas', async () =>
        this.api.schemas.getAll(false, await this.auth()),
      ),
    );
    return body.results.find((r) => r.name === ATTAINMENT_OBJECT_NAME) ?? null;
  }

  private async loadAttainmentObject(): Promise<AttainmentObject> {
    let found = await this.findAttainmentObject();
    let created = false;
    if (!found) {
      try {
        found = customSchemaSchema.parse(
          await this.caller.call('creating the attainment object', async () =>
            this.api.schemas.create(
              ATTAINMENT_SCHEMA as unknown as Parameters<ApiGroups['schemas']['create']>[0],
              await this.auth(),
            ),
          ),
        );
        created = true;
      } catch (e) {
        // Created meanwhile by another instance (or by our own attempt whose answer was lost).
        if (!(e instanceof HubSpotError && e.kind === 'conflict')) throw e;
        found = await this.findAttainmentObject();
        if (!found) throw e;
      }
    }
    const problems = schemaProblems(found);
    if (problems.length > 0)
      throw new Error(
        `[Attain] the ${ATTAINMENT_OBJECT_NAME} object in HubSpot cannot be used: ${problems.join('; ')}`,
      );
    return { objectTypeId: found.objectTypeId, created };
  }

  async writeAttainmentRecords(
    records: ReadonlyArray<Partial<AttainmentRecord> & Pick<AttainmentRecord, 'payeeId' | 'periodId'>>,
  ): Promise<AttainmentWriteResult[]> {
    const seen = new Set<string>();
    for (const r of records) {
      const key = attainmentKey(r.payeeId, r.periodId);
      if (seen.has(key))
        throw new Error(`[Attain] attainment record ${key} appears twice in one write; merge it first`);
      seen.add(key);
    }
    const { objectTypeId } = await this.ensureAttainmentObject();
    const results: AttainmentWriteResult[] = [];
    for (const { body } of await this.inBatches(records, (chunk) => this.upsertAttainmentChunk(objectTypeId, chunk)))
      results.push(...body);
    return results;
  }

  private async upsertAttainmentChunk(
    objectTypeId: string,
    chunk: ReadonlyArray<Partial<AttainmentRecord> & Pick<AttainmentRecord, 'payeeId' | 'periodId'>>,
  ): Promise<AttainmentWriteResult[]> {
    const keys = chunk.map((r) => attainmentKey(r.payeeId, r.periodId));
    const inputs = chunk.map((r, i) => {
      const properties: Record<string, string> = {};
      for (const [field, value] of Object.entries(r)) {
        const name = ATTAINMENT_PROPERTY_BY_FIELD[field as keyof typeof ATTAINMENT_PROPERTY_BY_FIELD];
        if (!name) throw new Error(`[Attain] unknown attainment field ${field}`);
        if (value !== undefined) properties[name] = value;
      }
      return { id: keys[i]!, idProperty: ATTAINMENT_KEY_PROPERTY, properties };
    });
    let body;
    try {
      body = batchObjectsSchema.parse(
        await this.caller.call('writing attainment records', async () =>
          this.api.objectsBatch.upsert(objectTypeId, { inputs }, await this.auth()),
        ),
      );
    } catch (e) {
      if (!(e instanceof HubSpotError)) throw e;
      return keys.map((key) => ({ key, ok: false, retryable: e.retryable, category: e.kind, message: e.message }));
    }
    const written = new Map<string, string>();
    for (const raw of body.results) {
      const o = crmObjectSchema.safeParse(raw);
      const key = o.success ? o.data.properties[ATTAINMENT_KEY_PROPERTY] : undefined;
      if (o.success && key) written.set(key, o.data.id);
    }
    const failed = new Map<string, StandardError>();
    for (const err of body.errors ?? []) for (const id of err.context?.['ids'] ?? []) failed.set(id, err);
    return keys.map((key): AttainmentWriteResult => {
      const recordId = written.get(key);
      if (recordId) return { key, ok: true, recordId };
      const err = failed.get(key);
      return err
        ? {
            key,
            ok: false,
            retryable: RETRYABLE_CATEGORIES.has(err.category),
            category: err.category,
            message: err.message,
          }
        : {
            key,
            ok: false,
            retryable: true,
            category: 'UNCONFIRMED',
            message: 'HubSpot neither confirmed nor rejected this record',
          };
    });
  }

  async writeDealProperties(writes: readonly DealWrite[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    const seen = new Set<string>();
    for (const w of writes) {
      if (seen.has(w.dealId))
        throw new Error(`[Attain] deal ${w.dealId} appears twice in one write-back; merge its values first`);
      seen.add(w.dealId);
    }
    for (const { body } of await this.inBatches(writes, (chunk) => this.writeChunk(chunk))) results.push(...body);
    return results;
  }

  private async writeChunk(chunk: readonly DealWrite[]): Promise<WriteResult[]> {
    const inputs = chunk.map((w) => ({ id: w.dealId, properties: toProperties(w) }));
    let body;
    try {
      body = batchObjectsSchema.parse(
        await this.caller.call('writing deal results', async () =>
          this.api.dealsBatch.update({ inputs }, await this.auth()),
        ),
      );
    } catch (e) {
      if (!(e instanceof HubSpotError)) throw e;
      // The whole batch was refused (validation, auth, limits after all retries): every record failed alike.
      return chunk.map((w) => ({
        dealId: w.dealId,
        ok: false,
        retryable: e.retryable,
        category: e.kind,
        message: e.message,
      }));
    }
    const updated = new Map<string, string | null>();
    for (const raw of body.results) {
      const o = crmObjectSchema.safeParse(raw);
      if (o.success)
        updated.set(
          o.data.id,
          o.data.properties['hs_lastmodifieddate'] ? toInstant(o.data.properties['hs_lastmodifieddate']) : null,
        );
    }
    const failed = new Map<string, StandardError>();
    for (const err of body.errors ?? []) for (const id of err.context?.['ids'] ?? []) failed.set(id, err);
    return chunk.map((w): WriteResult => {
      if (updated.has(w.dealId)) return { dealId: w.dealId, ok: true, modifiedAt: updated.get(w.dealId) ?? null };
      const err = failed.get(w.dealId);
      if (err)
        return {
          dealId: w.dealId,
          ok: false,
          retryable: RETRYABLE_CATEGORIES.has(err.category),
          category: err.category,
          message: err.message,
        };
      return {
        dealId: w.dealId,
        ok: false,
        retryable: true,
        category: 'UNCONFIRMED',
        message: 'HubSpot neither confirmed nor rejected this record',
      };
    });
  }
}

const RETRYABLE_CATEGORIES = new Set(['RATE_LIMITS', 'RATE_LIMIT', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

function toProperties(write: DealWrite): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [field, value] of Object.entries(write.values)) {
    const def = PROPERTY_BY_FIELD.get(field as ResultField);
    if (!def) throw new Error(`[Attain] unknown result field ${field}`);
    // HubSpot clears a property when it receives an empty string.
    properties[def.name] = value ?? '';
  }
  return properties;
}

function stampOf(o: CrmObject): number {
  const v = o.properties['hs_lastmodifieddate'];
  if (!v) return Number.NaN;
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}

function modifiedAtOf(objects: readonly CrmObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    const v = o.properties['hs_lastmodifieddate'];
    const instant = v ? toInstant(v) : null;
    if (instant) out[o.id] = instant;
  }
  return out;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
