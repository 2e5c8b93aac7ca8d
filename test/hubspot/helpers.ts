import type nock from 'nock';
import { HubSpotConnector, PortalBudgets, staticToken, type RetryEvent } from '../../server/crm/hubspot/index.js';
import type { Clock } from '../../server/crm/hubspot/limiter.js';

export const API = 'https://api.hubapi.com';
export const TOKEN = 'test-access-token';

/**
 * Time that moves only when someone waits: a timer advances the clock by its delay and fires on the next
 * turn of the event loop. Retry waits are asserted from what was asked for, never from the wall clock.
 */
export function virtualClock(start = Date.parse('2026-10-01T08:00:00Z')): Clock & { waits: number[] } {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    setTimeout: (fn, ms) => {
      waits.push(ms);
      return setImmediate(() => {
        t += ms;
        fn();
      });
    },
    clearTimeout: (h) => clearImmediate(h as NodeJS.Immediate),
  };
}

let portal = 0;

export function testConnector(options: { timeoutMs?: number; maxAttempts?: number } = {}) {
  const clock = virtualClock();
  const retries: RetryEvent[] = [];
  const connector = new HubSpotConnector({
    portalKey: `test-${++portal}`,
    accessToken: staticToken(TOKEN),
    budgets: new PortalBudgets(clock),
    clock,
    random: () => 1,
    retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 100, maxDelayMs: 1_000 },
    timeoutMs: options.timeoutMs ?? 5_000,
    onRetry: (e) => retries.push(e),
  });
  return { connector, clock, retries };
}

/** What every deal read needs first: the portal's currency and time zone, and the stage metadata. */
export function stubDealContext(scope: nock.Scope, multiCurrency = false): nock.Scope {
  return scope
    .get('/account-info/v3/details')
    .reply(200, {
      portalId: 4711,
      timeZone: 'Europe/Copenhagen',
      companyCurrency: 'DKK',
      additionalCurrencies: multiCurrency ? ['EUR'] : [],
    })
    .get('/crm/v3/pipelines/deals')
    .reply(200, {
      results: [
        {
          id: 'default',
          label: 'Sales Pipeline',
          displayOrder: 0,
          archived: false,
          stages: [
            {
              id: 'open1',
              label: 'Qualified',
              displayOrder: 0,
              archived: false,
              metadata: { isClosed: 'false', probability: '0.4' },
            },
            {
              id: 'closedwon',
              label: 'Closed Won',
              displayOrder: 1,
              archived: false,
              metadata: { isClosed: 'true', probability: '1.0' },
            },
            {
              id: 'closedlost',
              label: 'Closed Lost',
              displayOrder: 2,
              archived: false,
              metadata: { isClosed: 'true', probability: '0.0' },
            },
          ],
        },
      ],
    });
}

export function dealJson(id: string, stamp: number, extra: Record<string, string | null> = {}) {
  return {
    id,
    properties: {
      hs_object_id: id,
      dealname: `Deal ${id}`,
      amount: '1000',
      dealstage: 'closedwon',
      pipeline: 'default',
      closedate: '2026-08-15T10:00:00.000Z',
      createdate: '2026-07-01T10:00:00.000Z',
      hubspot_owner_id: '101',
      hs_lastmodifieddate: new Date(stamp).toISOString(),
      ...extra,
    },
    createdAt: '2026-07-01T10:00:00.000Z',
    updatedAt: new Date(stamp).toISOString(),
    archived: false,
  };
}

export function rateLimitBody(
  policyName = 'TEN_SECONDLY_ROLLING',
  message = 'You have reached your ten_secondly_rolling limit.',
) {
  return {
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId: '5e2b0b5e-0000-4000-8000-000000000000',
    policyName,
  };
}
