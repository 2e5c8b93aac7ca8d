/**
 * The card API caches identities, estimate inputs and finished estimates per tenant data revision: a write to the
 * records behind them must show on the very next request.
 */
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataSetSchema, type Deal } from '../../src/data/index.js';
import { createApp } from '../../server/app.js';
import { dealCardView } from '../../server/http/cards/schemas.js';
import { createLogger } from '../../server/log.js';
import { dataRevision } from '../../server/store/repos/data-revision.js';
import { upsertDeals, upsertPayees } from '../../server/store/index.js';
import { RevisionCache } from '../../server/http/cards/revision-cache.js';
import { describeStores } from '../helpers/stores.js';
import {
  APP_ID,
  hubspotUrl,
  NOW,
  ORIGIN,
  RecordingRecalc,
  SECRET,
  seedTenant,
  signedHeaders,
  USERS,
} from './harness.js';
import { readFileSync } from 'node:fs';

const TENANT = 'cache';
const PORTAL = '77777';
const reference = dataSetSchema.parse(
  JSON.parse(readFileSync(new URL('../../examples/reference-scenario/data.json', import.meta.url), 'utf8')),
);
const openDeal = (d: Deal): Deal => (d.id === 'D-2026-024' ? { ...d, status: 'open', probability: '0.9' } : d);

describe('RevisionCache', () => {
  it('returns an entry only for its revision and drops the least recently used past the weight bound', () => {
    const c = new RevisionCache<number[]>(5, (v) => v.length);
    c.set('a', '1', [1, 2]);
    c.set('b', '1', [1, 2]);
    expect(c.get('a', '1')).toEqual([1, 2]);
    expect(c.get('a', '2')).toBeUndefined();
    expect(c.get('a', '1')).toBeUndefined();
    c.set('a', '1', [1, 2]);
    c.set('c', '1', [1, 2]);
    expect(c.get('b', '1')).toBeUndefined();
    expect(c.size).toBe(2);
    c.set('big', '1', [1, 2, 3, 4, 5, 6]);
    expect(c.get('big', '1')).toBeUndefined();
    c.set('x', null, [1]);
    expect(c.get('x', null)).toBeUndefined();
  });
});

describeStores('card caches follow the tenant data revision', (getStore) => {
  let app: ReturnType<typeof createApp>['app'];

  beforeAll(async () => {
    await seedTenant(getStore(), TENANT, PORTAL, NOW, openDeal);
    process.env.HUBSPOT_CLIENT_SECRET = SECRET;
    process.env.HUBSPOT_APP_ID = APP_ID;
    ({ app } = createApp({
      store: getStore(),
      logger: createLogger('silent'),
      now: () => NOW,
      recalc: new RecordingRecalc(),
      publicBaseUrl: ORIGIN,
    }));
  }, 120_000);

  const get = (path: string, user: string) => {
    const url = hubspotUrl(path, PORTAL, user);
    return request(app).get(url).set(signedHeaders(url));
  };

  it('every write that changes rows moves the revision; reads and no-op upserts do not', async () => {
    const db = getStore().db;
    const before = await dataRevision(db, TENANT);
    expect(before).not.toBeNull();
    await get('/hubspot/cards/deals/D-2026-024', USERS.anna);
    expect(await dataRevision(db, TENANT)).toBe(before);
    const deal = openDeal(reference.deals.find((d) => d.id === 'D-2026-024')!);
    // An upsert that changes nothing writes nothing, so it leaves the revision alone.
    await upsertDeals(db, TENANT, [deal]);
    expect(await dataRevision(db, TENANT)).toBe(before);
    await upsertDeals(db, TENANT, [{ ...deal, name: `${deal.name} (renamed)` }]);
    expect(BigInt((await dataRevision(db, TENANT))!)).toBeGreaterThan(BigInt(before!));
    expect(await dataRevision(db, 'no-such-tenant')).toBeNull();
  });

  it('a changed deal amount shows on the next view of the same card', async () => {
    const first = await get('/hubspot/cards/deals/D-2026-024', USERS.anna);
    expect(dealCardView.parse(first.body).payees[0]!.commission.amount).toBe('9000');
    expect(
      dealCardView.parse((await get('/hubspot/cards/deals/D-2026-024', USERS.anna)).body).payees[0]!.commission.amount,
    ).toBe('9000');
    const deal = openDeal(reference.deals.find((d) => d.id === 'D-2026-024')!);
    await upsertDeals(getStore().db, TENANT, [{ ...deal, amount: '300000' }]);
    const after = await get('/hubspot/cards/deals/D-2026-024', USERS.anna);
    expect(dealCardView.parse(after.body).payees[0]!.commission.amount).toBe('18000');
    await upsertDeals(getStore().db, TENANT, [deal]);
  });

  it('a seller who becomes a manager sees their new report’s deal on the next request', async () => {
    expect((await get('/hubspot/cards/deals/D-2026-024', USERS.bo)).status).toBe(403);
    const anna = reference.payees.find((p) => p.id === 'anna')!;
    await upsertPayees(getStore().db, TENANT, [
      { ...anna, managerId: 'bo', crm: { hubspotOwnerId: 'owner-anna', hubspotUserId: USERS.anna } },
    ]);
    expect((await get('/hubspot/cards/deals/D-2026-024', USERS.bo)).status).toBe(200);
  });
});
