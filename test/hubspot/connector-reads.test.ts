import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API, dealJson, stubDealContext, testConnector, TOKEN } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const T0 = Date.parse('2026-09-01T00:00:00.000Z');

describe('owners → payees and teams', () => {
  it('pages through owners with the bearer token and keeps owner id and user id apart', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/crm/v3/owners/')
      .query({ limit: '500', archived: 'false' })
      .reply(200, {
        results: [
          {
            id: '101',
            email: 'anna@example.dk',
            firstName: 'Anna',
            lastName: 'Jensen',
            userId: 9001,
            archived: false,
            teams: [{ id: '7', name: 'Nord', primary: true }],
          },
        ],
        paging: { next: { after: '1', link: 'x' } },
      })
      .get('/crm/v3/owners/')
      .query({ limit: '500', after: '1', archived: 'false' })
      .reply(200, {
        results: [
          {
            id: '102',
            email: 'bo@example.dk',
            firstName: 'Bo',
            lastName: 'Nielsen',
            userId: 9002,
            archived: false,
            teams: [
              { id: '8', name: 'Syd', primary: false },
              { id: '7', name: 'Nord', primary: true },
            ],
          },
          {
            id: '103',
            email: 'nobody@example.dk',
            firstName: null,
            lastName: null,
            userId: null,
            archived: false,
            teams: [],
          },
        ],
      });
    const { connector } = testConnector();
    const { payees, problems } = await connector.listPayees();
    expect(problems).toEqual([]);
    expect(payees).toEqual([
      {
        id: '101',
        name: 'Anna Jensen',
        email: 'anna@example.dk',
        teamId: '7',
        crm: { hubspotOwnerId: '101', hubspotUserId: '9001' },
      },
      {
        id: '102',
        name: 'Bo Nielsen',
        email: 'bo@example.dk',
        teamId: '7',
        crm: { hubspotOwnerId: '102', hubspotUserId: '9002' },
      },
      {
        id: '103',
        name: 'nobody@example.dk',
        email: 'nobody@example.dk',
        teamId: null,
        crm: { hubspotOwnerId: '103' },
      },
    ]);
    scope.done();
  });

  it('lists the teams owners belong to', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(200, {
        results: [
          {
            id: '101',
            firstName: 'A',
            lastName: 'B',
            userId: 1,
            archived: false,
            teams: [
              { id: '8', name: 'Syd', primary: false },
              { id: '7', name: 'Nord', primary: true },
            ],
          },
          {
            id: '102',
            firstName: 'C',
            lastName: 'D',
            userId: 2,
            archived: false,
            teams: [{ id: '7', name: 'Nord', primary: true }],
          },
        ],
      });
    const { connector } = testConnector();
    expect(await connector.listTeams()).toEqual([
      { id: '7', name: 'Nord' },
      { id: '8', name: 'Syd' },
    ]);
    scope.done();
  });
});

describe('pipelines', () => {
  it('reads stage metadata strings: won = closed with probability 1', async () => {
    const scope = stubDealContext(nock(API)).get('/account-info/v3/details').optionally().reply(200, {});
    const { connector } = testConnector();
    await connector.accountDetails();
    const pipelines = await connector.listPipelines();
    expect(pipelines[0]!.stages).toEqual([
      { id: 'open1', label: 'Qualified', displayOrder: 0, isClosed: false, isWon: false, probability: '0.4' },
      { id: 'closedwon', label: 'Closed Won', displayOrder: 1, isClosed: true, isWon: true, probability: '1' },
      { id: 'closedlost', label: 'Closed Lost', displayOrder: 2, isClosed: true, isWon: false, probability: '0' },
    ]);
    scope.done();
  });
});

/** Filters as text, independent of the key order the SDK serialises them in. */
const filterText = (filters: Array<{ propertyName: string; operator: string; value?: string }>) =>
  filters.map((f) => `${f.propertyName} ${f.operator} ${f.value ?? ''}`.trim()).join(' & ');

describe('incremental deal search', () => {
  const isSearch =
    (filters: Array<Record<string, string>>) =>
    (body: {
      filterGroups: Array<{ filters: Array<{ propertyName: string; operator: string; value?: string }> }>;
      sorts: unknown[];
      limit: number;
      after?: string;
    }) =>
      filterText(body.filterGroups[0]!.filters) === filterText(filters as never) &&
      body.limit === 200 &&
      body.after === undefined;

  it('pages by the last stamp seen (GTE, ascending), skips the overlap, and never uses offset paging', async () => {
    // 200 deals a second apart, the last two share a stamp; then a second page repeats that stamp.
    const first = Array.from({ length: 200 }, (_, i) => dealJson(String(1000 + i), T0 + Math.min(i, 198) * 1000));
    const lastStamp = T0 + 198 * 1000;
    const second = [
      dealJson('1198', lastStamp),
      dealJson('1199', lastStamp),
      dealJson('1200', lastStamp + 5000, { amount: '2500.50', dealstage: 'open1' }),
    ];
    const scope = stubDealContext(nock(API))
      .post(
        '/crm/v3/objects/deals/search',
        (b) =>
          isSearch([{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(T0) }])(b) &&
          JSON.stringify(b.sorts) === '[{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}]',
      )
      .reply(200, { total: 203, results: first, paging: { next: { after: '200' } } })
      .post(
        '/crm/v3/objects/deals/search',
        isSearch([{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(lastStamp) }]),
      )
      .reply(200, { total: 3, results: second });
    const { connector } = testConnector();
    const pages = [];
    for await (const page of connector.searchDealsModifiedSince(new Date(T0).toISOString())) pages.push(page);
    const ids = pages.flatMap((p) => p.deals.map((d) => d.id));
    expect(ids).toHaveLength(201);
    expect(new Set(ids).size).toBe(201);
    expect(pages[0]!.checkpoint).toBe(new Date(lastStamp).toISOString());
    expect(pages[1]!.deals).toEqual([
      {
        id: '1200',
        name: 'Deal 1200',
        ownerId: '101',
        amount: '2500.5',
        currency: 'DKK',
        status: 'open',
        closeDate: '2026-08-15',
        createdDate: '2026-07-01',
        probability: '0.4',
        pipeline: 'default',
        stage: 'open1',
      },
    ]);
    expect(pages[1]!.modifiedAt['1200']).toBe(new Date(lastStamp + 5000).toISOString());
    scope.done();
  });

  it('reads 10,400 matching deals although HubSpot refuses paging past the 10,000th result', async () => {
    // HubSpot as nock sees it: 10,400 deals two per stamp; a request with `after` ≥ 10,000 gets a 400.
    const all = Array.from({ length: 10_400 }, (_, i) => dealJson(String(100_000 + i), T0 + Math.floor(i / 2) * 1000));
    let searches = 0;
    const scope = stubDealContext(nock(API))
      .post('/crm/v3/objects/deals/search')
      .times(53)
      .reply((_uri, raw) => {
        searches++;
        const body = raw as {
          filterGroups: Array<{ filters: Array<{ propertyName: string; operator: string; value: string }> }>;
          after?: string;
          limit: number;
        };
        const offset = Number(body.after ?? 0);
        if (offset >= 10_000)
          return [400, { status: 'error', message: 'paging past 10,000 results', category: 'VALIDATION_ERROR' }];
        const [gte] = body.filterGroups[0]!.filters;
        const matching = all.filter((d) => Date.parse(d.properties.hs_lastmodifieddate) >= Number(gte!.value));
        const next =
          offset + body.limit < matching.length ? { paging: { next: { after: String(offset + body.limit) } } } : {};
        return [200, { total: matching.length, results: matching.slice(offset, offset + body.limit), ...next }];
      });
    const { connector } = testConnector();
    const ids: string[] = [];
    for await (const page of connector.searchDealsModifiedSince(new Date(T0).toISOString()))
      ids.push(...page.deals.map((d) => d.id));
    expect(ids).toHaveLength(10_400);
    expect(new Set(ids).size).toBe(10_400);
    // 10,400 records, 200 a page, one boundary record re-read per page.
    expect(searches).toBe(53);
    scope.done();
  });

  it('pages a stamp shared by more than a page of deals by hs_object_id, then moves past it', async () => {
    const same = Array.from({ length: 200 }, (_, i) => dealJson(String(5000 + ((i * 7) % 200)), T0));
    const byId = Array.from({ length: 200 }, (_, i) => dealJson(String(5000 + i), T0));
    const rest = Array.from({ length: 50 }, (_, i) => dealJson(String(5200 + i), T0));
    const scope = stubDealContext(nock(API))
      .post(
        '/crm/v3/objects/deals/search',
        isSearch([{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(T0) }]),
      )
      .reply(200, { total: 250, results: same, paging: { next: { after: '200' } } })
      .post(
        '/crm/v3/objects/deals/search',
        (b) =>
          isSearch([
            { propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(T0) },
            { propertyName: 'hs_object_id', operator: 'GT', value: '0' },
          ])(b) && JSON.stringify(b.sorts) === '[{"propertyName":"hs_object_id","direction":"ASCENDING"}]',
      )
      .reply(200, { total: 250, results: byId, paging: { next: { after: '200' } } })
      .post(
        '/crm/v3/objects/deals/search',
        isSearch([
          { propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(T0) },
          { propertyName: 'hs_object_id', operator: 'GT', value: '5199' },
        ]),
      )
      .reply(200, { total: 50, results: rest })
      .post(
        '/crm/v3/objects/deals/search',
        isSearch([{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(T0 + 1) }]),
      )
      .reply(200, { total: 0, results: [] });
    const { connector } = testConnector();
    const ids: string[] = [];
    for await (const page of connector.searchDealsModifiedSince(new Date(T0).toISOString()))
      ids.push(...page.deals.map((d) => d.id));
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    scope.done();
  });

  it('reports a deal that does not fit the domain as a problem and keeps going', async () => {
    const scope = stubDealContext(nock(API))
      .post('/crm/v3/objects/deals/search')
      .reply(200, {
        total: 2,
        results: [dealJson('1', T0, { amount: 'lots' }), dealJson('2', T0 + 1, { dealstage: 'vanished' })],
      })
      // An unknown stage reloads the pipelines once before it is reported.
      .get('/account-info/v3/details')
      .optionally()
      .reply(200, {})
      .get('/crm/v3/pipelines/deals')
      .reply(200, { results: [] });
    const { connector } = testConnector();
    const pages = [];
    for await (const page of connector.searchDealsModifiedSince()) pages.push(page);
    expect(pages[0]!.deals).toEqual([]);
    expect(pages[0]!.problems).toEqual([
      {
        objectType: 'deal',
        id: '1',
        messages: ['dealstage: unknown stage "closedwon" (not in any deal pipeline)', 'amount: "lots" is not a number'],
      },
      { objectType: 'deal', id: '2', messages: ['dealstage: unknown stage "vanished" (not in any deal pipeline)'] },
    ]);
    scope.done();
  });

  it('takes the deal currency and the home-currency amount where multi-currency is on', async () => {
    const scope = stubDealContext(nock(API), true)
      .post(
        '/crm/v3/objects/deals/batch/read',
        (b) => b.inputs.length === 1 && b.properties.includes('amount_in_home_currency'),
      )
      .query({ archived: 'false' })
      .reply(200, {
        status: 'COMPLETE',
        results: [
          dealJson('9', T0, { amount: '1000.00', deal_currency_code: 'EUR', amount_in_home_currency: '7460.00' }),
        ],
      });
    const { connector } = testConnector();
    const read = await connector.readDeals(['9']);
    expect(read.deals[0]).toMatchObject({
      amount: '1000',
      currency: 'EUR',
      attributes: { amountInHomeCurrency: '7460', homeCurrency: 'DKK' },
    });
    scope.done();
  });
});

describe('batch read', () => {
  it('reads in batches of 100 and reports unknown ids from the 207 answer', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(100 + i));
    const scope = stubDealContext(nock(API))
      .post('/crm/v3/objects/deals/batch/read', (b) => b.inputs.length === 100 && b.inputs[0].id === '100')
      .query({ archived: 'false' })
      .reply(200, { status: 'COMPLETE', results: ids.slice(0, 100).map((id) => dealJson(id, T0)) })
      .post('/crm/v3/objects/deals/batch/read', (b) => b.inputs.length === 50)
      .query({ archived: 'false' })
      .reply(207, {
        status: 'COMPLETE',
        results: ids.slice(100, 148).map((id) => dealJson(id, T0)),
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some DEAL objects',
            context: { ids: ['248', '249'] },
          },
        ],
      });
    const { connector } = testConnector();
    const read = await connector.readDeals(ids);
    expect(read.deals).toHaveLength(148);
    expect(read.missing).toEqual(['248', '249']);
    expect(read.deals[0]).toMatchObject({ id: '100', status: 'won', amount: '1000', closeDate: '2026-08-15' });
    scope.done();
  });
});

describe('goals as quotas', () => {
  it('searches the period’s goal targets and adds up the slices per owner', async () => {
    const start = String(Date.parse('2026-07-01T00:00:00Z'));
    const end = String(Date.parse('2026-10-01T00:00:00Z'));
    const goal = (id: string, owner: string | null, amount: string) => ({
      id,
      properties: {
        hs_goal_name: 'Revenue',
        hs_target_amount: amount,
        hubspot_owner_id: owner,
        hs_start_datetime: '2026-07-01T00:00:00Z',
      },
      archived: false,
    });
    const scope = nock(API)
      .post(
        '/crm/v3/objects/goal_targets/search',
        (b) =>
          filterText(b.filterGroups[0].filters) ===
            filterText([
              { propertyName: 'hs_start_datetime', operator: 'GTE', value: start },
              { propertyName: 'hs_start_datetime', operator: 'LT', value: end },
              { propertyName: 'hubspot_owner_id', operator: 'HAS_PROPERTY' },
              { propertyName: 'hs_goal_name', operator: 'EQ', value: 'Revenue' },
            ]) && b.after === undefined,
      )
      .reply(200, {
        total: 3,
        results: [goal('1', '101', '300000'), goal('2', '101', '300000.50')],
        paging: { next: { after: '2' } },
      })
      .post('/crm/v3/objects/goal_targets/search', (b) => b.after === '2')
      .reply(200, { total: 3, results: [goal('3', '101', '299999.50'), goal('4', '102', 'n/a')] });
    const { connector } = testConnector();
    const read = await connector.readGoals({
      periodId: '2026-Q3',
      start: '2026-07-01',
      end: '2026-10-01',
      goalName: 'Revenue',
    });
    expect(read.quotas).toEqual([{ payeeId: '101', periodId: '2026-Q3', amount: '900000' }]);
    expect(read.problems).toEqual([
      { objectType: 'goal', id: '4', messages: ['hs_target_amount: "n/a" is not a number'] },
    ]);
    scope.done();
  });
});

describe('deal splits', () => {
  it('maps hs_deal_split_percentage strings to revenue shares', async () => {
    const split = (id: string, owner: string, pct: string) => ({
      id,
      properties: { hubspot_owner_id: owner, hs_deal_split_percentage: pct },
      archived: false,
    });
    const scope = nock(API)
      .post('/crm/v3/objects/deals/splits/batch/read', { inputs: [{ id: '1' }, { id: '2' }, { id: '3' }, { id: '4' }] })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          { id: '1', splits: [split('11', '101', '0.6'), split('12', '102', '0.40')] },
          { id: '2', splits: [] },
          { id: '3', splits: [split('31', '101', '60%')] },
        ],
        errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'not found', context: { ids: ['4'] } }],
      });
    const { connector } = testConnector();
    const read = await connector.readSplits(['1', '2', '3', '4']);
    expect(read.splits).toEqual({
      '1': [
        { payeeId: '101', share: '0.6', type: 'revenue' },
        { payeeId: '102', share: '0.4', type: 'revenue' },
      ],
      '2': [],
    });
    expect(read.problems).toEqual([
      { objectType: 'split', id: '3', messages: ['split 31: hs_deal_split_percentage "60%" is not a number'] },
    ]);
    scope.done();
  });
});

describe('deal → contact associations (v4)', () => {
  it('follows per-deal paging and treats "no associations" errors as empty', async () => {
    const scope = nock(API)
      .post('/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: '1' }, { id: '2' }] })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          {
            from: { id: '1' },
            to: [{ toObjectId: 501, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] }],
            paging: { next: { after: 'p2' } },
          },
        ],
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
            message: 'none',
            context: { fromObjectId: ['2'] },
          },
        ],
      })
      .post('/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: '1', after: 'p2' }] })
      .reply(200, {
        status: 'COMPLETE',
        results: [{ from: { id: '1' }, to: [{ toObjectId: 502, associationTypes: [] }] }],
      });
    const { connector } = testConnector();
    expect(await connector.readDealContacts(['1', '2'])).toEqual({ '1': ['501', '502'], '2': [] });
    scope.done();
  });
});

describe('capabilities', () => {
  it('detects custom objects, splits and multi-currency from the portal', async () => {
    const scope = nock(API)
      .get('/account-info/v3/details')
      .reply(200, {
        portalId: 4711,
        timeZone: 'Europe/Copenhagen',
        companyCurrency: 'DKK',
        additionalCurrencies: ['EUR', 'SEK'],
      })
      .get('/crm-object-schemas/v3/schemas')
      .query(true)
      .reply(403, {
        status: 'error',
        message: 'This hub does not have access to custom objects',
        category: 'MISSING_SCOPES',
      })
      .post('/crm/v3/objects/deals/splits/batch/read')
      .reply(207, {
        status: 'COMPLETE',
        results: [],
        errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'x', context: { ids: ['0'] } }],
      });
    const { connector } = testConnector();
    expect(await connector.capabilities()).toEqual({
      customObjects: false,
      dealSplits: true,
      multiCurrency: true,
      homeCurrency: 'DKK',
      timeZone: 'Europe/Copenhagen',
    });
    scope.done();
  });
});
