import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotError } from '../../server/crm/hubspot/index.js';
import { API, rateLimitBody, testConnector } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const owners = {
  results: [{ id: '101', firstName: 'Anna', lastName: 'Jensen', userId: 9001, archived: false, teams: [] }],
};

describe('retries', () => {
  it('429 TEN_SECONDLY_ROLLING: pauses the portal for Retry-After, then retries', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(429, rateLimitBody(), {
        'Retry-After': '2',
        'X-HubSpot-RateLimit-Max': '100',
        'X-HubSpot-RateLimit-Remaining': '0',
      })
      .get('/crm/v3/owners/')
      .query(true)
      .reply(200, owners);
    const { connector, retries, clock } = testConnector();
    const { payees } = await connector.listPayees();
    expect(payees.map((p) => p.id)).toEqual(['101']);
    expect(retries).toEqual([{ label: 'listing owners', attempt: 1, kind: 'rate-limit', status: 429, waitMs: 2000 }]);
    // The wait happened in the portal's limiter, so every request of the portal waits with it.
    expect(clock.waits).toContain(2000);
    scope.done();
  });

  it('429 without Retry-After waits one rolling window', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(429, rateLimitBody())
      .get('/crm/v3/owners/')
      .query(true)
      .reply(200, owners);
    const { connector, retries } = testConnector();
    await connector.listPayees();
    expect(retries.map((r) => r.waitMs)).toEqual([10_000]);
    scope.done();
  });

  it('429 secondly (search): waits a second and retries the search', async () => {
    const scope = nock(API)
      .post('/crm/v3/objects/deals/search')
      .reply(429, rateLimitBody('SECONDLY', 'You have reached your secondly limit.'))
      .post('/crm/v3/objects/deals/search')
      .reply(200, { total: 0, results: [] });
    const { connector, retries } = testConnector();
    for await (const _ of connector.searchDealsModifiedSince()) throw new Error('no pages expected');
    expect(retries).toEqual([
      { label: 'searching deals', attempt: 1, kind: 'search-rate-limit', status: 429, waitMs: 1000 },
    ]);
    scope.done();
  });

  it('5xx: retries with exponential backoff', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(502, 'Bad Gateway')
      .get('/crm/v3/owners/')
      .query(true)
      .reply(503, { status: 'error', message: 'unavailable' })
      .get('/crm/v3/owners/')
      .query(true)
      .reply(200, owners);
    const { connector, retries } = testConnector();
    await connector.listPayees();
    expect(retries.map((r) => [r.kind, r.status, r.waitMs])).toEqual([
      ['server', 502, 100],
      ['server', 503, 200],
    ]);
    scope.done();
  });

  // Resets are exercised against the sandbox (a real dropped socket): nock 14's replyWithError never settles
  // a node-fetch 2 request.
  it('a request without an answer times out and is retried', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .delay(3_000)
      .reply(200, owners)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(200, owners);
    const { connector, retries } = testConnector({ timeoutMs: 200 });
    await connector.listPayees();
    expect(retries.map((r) => r.kind)).toEqual(['timeout']);
    scope.done();
  });

  it('gives up after the last attempt with the failure kind', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .times(2)
      .reply(500, { status: 'error', message: 'boom' });
    const { connector } = testConnector({ maxAttempts: 2 });
    const error = await connector.listPayees().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubSpotError);
    expect((error as HubSpotError).kind).toBe('server');
    expect((error as HubSpotError).message).toBe('listing owners: boom (after 2 attempts)');
    scope.done();
  });

  it('daily-limit 429 is not retried', async () => {
    const scope = nock(API)
      .get('/crm/v3/owners/')
      .query(true)
      .reply(429, rateLimitBody('DAILY', 'You have reached your daily limit.'), { 'Retry-After': '1' });
    const { connector, retries } = testConnector();
    const error = await connector.listPayees().catch((e: unknown) => e);
    expect((error as HubSpotError).kind).toBe('daily-limit');
    expect((error as HubSpotError).retryable).toBe(false);
    expect(retries).toEqual([]);
    scope.done();
  });

  it('401 is not retried (refresh happens ahead of expiry, not on 401)', async () => {
    const scope = nock(API).get('/crm/v3/owners/').query(true).reply(401, {
      status: 'error',
      message: 'The OAuth token used to make this call expired 5 second(s) ago.',
      category: 'EXPIRED_AUTHENTICATION',
    });
    const { connector, retries } = testConnector();
    await expect(connector.listPayees()).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(retries).toEqual([]);
    scope.done();
  });
});
