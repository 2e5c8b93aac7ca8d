import fc from 'fast-check';
import request from 'supertest';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../helpers/stores.js';
import { buildCardHarness, hubspotUrl, NOW, PORTAL_CLOSED, PORTAL_LIVE, signedHeaders, USERS } from './harness.js';

const segment = fc.oneof(
  fc.constantFrom('D-2026-024', 'D-2026-026', 'D-404', '123', '', '..', '%E0%A4%A', '%00', 'a%2Fb'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const path = fc.oneof(
  segment.map((s) => `/hubspot/cards/deals/${s}`),
  segment.map((s) => `/hubspot/cards/contacts/${s}`),
  fc.constantFrom(
    '/hubspot/cards/team',
    '/hubspot/settings',
    '/hubspot/settings/plans/check',
    '/hubspot/settings/plans/preview',
    '/hubspot/settings/plans/publish',
    '/hubspot/settings/resync',
    '/hubspot/cards/nope',
  ),
);
const value = fc.oneof(
  fc.constantFrom(
    '300000',
    '-1',
    '1e9',
    '0',
    '2026-09-29',
    '2026-02-30',
    '2026-Q3',
    '2026-Q5',
    'da-DK',
    'en',
    'D-2026-024,D-2026-055',
    'owner-anna',
    '',
  ),
  fc.string({ maxLength: 20 }),
);
const queryPair = fc.tuple(
  fc.constantFrom(
    'locale',
    'whatIfAmount',
    'whatIfCloseDate',
    'period',
    'ownerId',
    'dealIds',
    'userId',
    'portalId',
    'x',
  ),
  value,
);
const query = fc
  .array(queryPair, { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));
const who = fc.tuple(
  fc.constantFrom(PORTAL_LIVE, PORTAL_CLOSED, '99999'),
  fc.constantFrom(...Object.values(USERS), '0'),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc
    .record({ plan: fc.anything({ maxDepth: 3 }) })
    .map((o) => JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
);

describeStores('card API fuzz', (getStore) => {
  let app: Awaited<ReturnType<typeof buildCardHarness>>['app'];

  beforeAll(async () => {
    ({ app } = await buildCardHarness(getStore()));
  }, 120_000);

  it('never answers 5xx, signed or not, whatever the path, query, identity or body', async () => {
    await fc.assert(
      fc.asyncProperty(
        path,
        query,
        who,
        fc.constantFrom('GET', 'POST'),
        body,
        fc.integer({ min: 0, max: 9 }),
        async (p, q, [portal, user], method, raw, signMode) => {
          const url = hubspotUrl(q ? `${p}?${q}` : p, portal, user);
          const sentBody = method === 'POST' ? (raw ?? '') : undefined;
          const headers =
            signMode === 0
              ? {}
              : signedHeaders(url, {
                  method,
                  ...(sentBody !== undefined ? { body: sentBody } : {}),
                  timestamp: signMode === 1 ? NOW.getTime() - 400_000 : NOW.getTime(),
                });
          const req =
            method === 'GET' ? request(app).get(url) : request(app).post(url).set('Content-Type', 'application/json');
          const res = await req.set(headers).send(sentBody ?? '');
          expect(res.status, `${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
