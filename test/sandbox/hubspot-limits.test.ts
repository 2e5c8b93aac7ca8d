import { describe, expect, it } from 'vitest';
import { generateScenario, type HubSpotSandbox } from '../../server/sandbox/hubspot/index.js';
import { sandboxPerTest } from './setup.js';

const startSandbox = sandboxPerTest();
let sandbox: HubSpotSandbox | null = null;

/** The sandbox's clock, moved by the test: windows are asserted without reading the wall clock. */
function manualTime(start = Date.parse('2026-10-01T08:00:00Z')) {
  const time = { t: start, now: () => time.t };
  return time;
}

async function call(method: string, path: string, body?: unknown, token = sandbox!.accessToken) {
  const response = await fetch(`${sandbox!.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(30_000_000_001 + i) }));

describe('rolling 10-second limit', () => {
  it('answers the request beyond the window with HubSpot’s 429 body and headers, and frees the window after 10 s', async () => {
    const time = manualTime();
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 2, dealsPerOwner: 1 }),
      limits: { requestsPerInterval: 10 },
      now: time.now,
    });
    for (let i = 0; i < 10; i++) {
      const r = await call('GET', '/crm/v3/owners');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-hubspot-ratelimit-remaining')).toBe(String(9 - i));
    }
    time.t += 9_999;
    const refused = await call('GET', '/crm/v3/owners');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(refused.headers.get('x-hubspot-ratelimit-max')).toBe('10');
    expect(refused.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(refused.headers.get('retry-after')).toBe('1');
    time.t += 1;
    expect((await call('GET', '/crm/v3/owners')).status).toBe(200);
    const stats = sandbox.stats();
    expect(stats).toMatchObject({
      total: 12,
      counted: 11,
      byOutcome: { ok: 11, 'rate-limited': 1 },
      maxCountedInWindow: 10,
    });
  });

  it('limits searches per second separately, with the secondly 429 body', async () => {
    const time = manualTime();
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 1, dealsPerOwner: 3 }),
      limits: { searchesPerSecond: 4 },
      now: time.now,
    });
    for (let i = 0; i < 4; i++)
      expect((await call('POST', '/crm/v3/objects/deals/search', { limit: 1 })).status).toBe(200);
    const refused = await call('POST', '/crm/v3/objects/deals/search', { limit: 1 });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'SECONDLY',
    });
    // Other endpoints are not held up by the search limit.
    expect((await call('GET', '/crm/v3/owners')).status).toBe(200);
    time.t += 1_000;
    expect((await call('POST', '/crm/v3/objects/deals/search', { limit: 1 })).status).toBe(200);
  });

  it('refuses requests beyond the daily limit with the DAILY policy', async () => {
    sandbox = await startSandbox({ limits: { dailyLimit: 2 }, now: manualTime().now });
    expect((await call('GET', '/crm/v3/owners')).status).toBe(200);
    expect((await call('GET', '/crm/v3/owners')).status).toBe(200);
    const refused = await call('GET', '/crm/v3/owners');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ policyName: 'DAILY', message: 'You have reached your daily limit.' });
  });
});

describe('batch sizes and search paging', () => {
  it('refuses more than 100 inputs on every batch endpoint', async () => {
    sandbox = await startSandbox({ scenario: generateScenario({ owners: 1, dealsPerOwner: 101 }) });
    for (const path of [
      '/crm/v3/objects/deals/batch/read',
      '/crm/v3/objects/deals/splits/batch/read',
      '/crm/v4/associations/deals/contacts/batch/read',
    ]) {
      const r = await call('POST', path, { inputs: ids(101) });
      expect(r.status, path).toBe(400);
      expect(r.body).toMatchObject({
        status: 'error',
        category: 'VALIDATION_ERROR',
        message: 'Too many inputs: 101. The maximum batch size is 100.',
      });
    }
    const update = await call('POST', '/crm/v3/objects/deals/batch/update', {
      inputs: ids(101).map((i) => ({ ...i, properties: { amount: '1' } })),
    });
    expect(update.status).toBe(400);
    expect((await call('POST', '/crm/v3/objects/deals/batch/read', { inputs: ids(100) })).status).toBe(200);
  });

  it('refuses a search page over 200 and paging past the 10,000th result', async () => {
    sandbox = await startSandbox({
      scenario: generateScenario({ owners: 10, dealsPerOwner: 1005, contactsPerDeal: 0 }),
      limits: { searchesPerSecond: 100 },
    });
    const tooBig = await call('POST', '/crm/v3/objects/deals/search', { limit: 201 });
    expect(tooBig.status).toBe(400);
    const sorts = [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }];
    const last = await call('POST', '/crm/v3/objects/deals/search', { limit: 200, after: '9800', sorts });
    expect(last.status).toBe(200);
    expect(last.body!['total']).toBe(10_050);
    expect((last.body!['results'] as unknown[]).length).toBe(200);
    expect(last.body!['paging']).toEqual({ next: { after: '10000' } });
    const past = await call('POST', '/crm/v3/objects/deals/search', { limit: 200, after: '10000', sorts });
    expect(past.status).toBe(400);
    expect(past.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('filters with HubSpot operators and answers requested properties as strings or null', async () => {
    sandbox = await startSandbox({ scenario: generateScenario({ owners: 2, dealsPerOwner: 5 }) });
    const r = await call('POST', '/crm/v3/objects/deals/search', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'dealstage', operator: 'IN', values: ['closedwon'] },
            { propertyName: 'amount', operator: 'GTE', value: '0' },
          ],
        },
      ],
      properties: ['amount', 'dealstage', 'hs_forecast_probability'],
      limit: 200,
    });
    expect(r.status).toBe(200);
    const results = r.body!['results'] as Array<{ properties: Record<string, string | null> }>;
    expect(results.length).toBeGreaterThan(0);
    for (const o of results) {
      expect(o.properties['dealstage']).toBe('closedwon');
      expect(o.properties['hs_forecast_probability']).toBeNull();
      expect(typeof o.properties['hs_lastmodifieddate']).toBe('string');
    }
    const unknown = await call('POST', '/crm/v3/objects/deals/search', {
      filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: '1' }] }],
    });
    expect(unknown.status).toBe(400);
  });
});

describe('auth', () => {
  it('answers 401 to an unknown token and to an expired OAuth token', async () => {
    const time = manualTime();
    sandbox = await startSandbox({ limits: { accessTokenTtlSeconds: 60 }, now: time.now });
    const unknown = await call('GET', '/crm/v3/owners', undefined, 'nope');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ category: 'INVALID_AUTHENTICATION' });
    const code = sandbox.issueAuthorizationCode('http://127.0.0.1/cb');
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1/cb',
      client_id: sandbox.app.clientId,
      client_secret: sandbox.app.clientSecret,
    });
    const token = (await (await fetch(`${sandbox.url}/oauth/v1/token`, { method: 'POST', body: form })).json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(token.expires_in).toBe(60);
    expect((await call('GET', '/crm/v3/owners', undefined, token.access_token)).status).toBe(200);
    time.t += 60_000;
    const expired = await call('GET', '/crm/v3/owners', undefined, token.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ category: 'EXPIRED_AUTHENTICATION' });
  });
});

describe('writes', () => {
  it('maintains hs_lastmodifieddate on every write, refuses read-only properties, and reports unknown ids per record (207)', async () => {
    const time = manualTime(Date.parse('2026-11-02T09:00:00Z'));
    sandbox = await startSandbox({ scenario: generateScenario({ owners: 1, dealsPerOwner: 2 }), now: time.now });
    const before = sandbox.state.objects.deals.get('30000000001')!.properties['hs_lastmodifieddate'];
    const r = await call('POST', '/crm/v3/objects/deals/batch/update', {
      inputs: [
        { id: '30000000001', properties: { amount: '1234.56' } },
        { id: '999', properties: { amount: '1' } },
      ],
    });
    expect(r.status).toBe(207);
    expect(r.body!['errors']).toEqual([
      { status: 'error', category: 'OBJECT_NOT_FOUND', message: expect.any(String), context: { ids: ['999'] } },
    ]);
    const updated = (r.body!['results'] as Array<{ id: string; properties: Record<string, string> }>)[0]!;
    expect(updated.properties['amount']).toBe('1234.56');
    expect(before).toBe('2026-10-01T08:00:00.000Z');
    expect(updated.properties['hs_lastmodifieddate']).toBe('2026-11-02T09:00:00.000Z');
    const readOnly = await call('POST', '/crm/v3/objects/deals/batch/update', {
      inputs: [{ id: '30000000001', properties: { hs_lastmodifieddate: '1' } }],
    });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body).toMatchObject({ category: 'VALIDATION_ERROR' });
  });

  it('creates a property once and answers 409 to the second create', async () => {
    sandbox = await startSandbox();
    const body = { name: 'attain_x', label: 'X', type: 'number', fieldType: 'number', groupName: 'dealinformation' };
    expect((await call('POST', '/crm/v3/properties/deals', body)).status).toBe(201);
    const again = await call('POST', '/crm/v3/properties/deals', body);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });
    expect(
      (await call('POST', '/crm/v3/properties/deals', { ...body, name: 'attain_y', fieldType: 'text' })).status,
    ).toBe(400);
  });
});

describe('fault injection', () => {
  it('injects 429s, 5xx, dropped connections and hung requests, switchable at runtime', async () => {
    sandbox = await startSandbox({ faults: { rate429: 1 } });
    const limited = await call('GET', '/crm/v3/owners');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' });

    const put = async (faults: object) =>
      (
        await fetch(`${sandbox!.url}/_sandbox/faults`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(faults),
        })
      ).status;
    expect(await put({ rate429: 0, rate5xx: 1 })).toBe(200);
    expect((await call('GET', '/crm/v3/owners')).status).toBe(502);
    expect(await put({ rate5xx: 0, reset: 1 })).toBe(200);
    await expect(call('GET', '/crm/v3/owners')).rejects.toThrow();
    expect(await put({ reset: 0, timeout: 1, hangMs: 50 })).toBe(200);
    await expect(call('GET', '/crm/v3/owners')).rejects.toThrow();
    expect(await put({ timeout: 0.5, rate429: 0.6 })).toBe(400);
    expect(await put({ timeout: 0 })).toBe(200);
    expect((await call('GET', '/crm/v3/owners')).status).toBe(200);
    expect(sandbox.stats().byOutcome).toEqual({
      'fault-429': 1,
      'fault-5xx': 1,
      'fault-reset': 1,
      'fault-timeout': 1,
      ok: 1,
    });
  });
});
