import { expect, it } from 'vitest';
import { domainEngine } from '../../server/calc/engine.js';
import { recalculateTenant } from '../../server/calc/recalculate.js';
import { engineEstimator } from '../../server/http/cards/feature.js';
import { storeCardData } from '../../server/http/cards/store-card-data.js';
import { upsertPayments } from '../../server/store/index.js';
import { readPublishedResults } from '../../server/store/repos/results.js';
import { describeStores } from '../helpers/stores.js';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { createLogger } from '../../server/log.js';
import {
  APP_ID,
  CLOSED_AS_OF,
  hubspotUrl,
  NOW,
  ORIGIN,
  RecordingRecalc,
  SECRET,
  seedTenant,
  signedHeaders,
  USERS,
} from './harness.js';

describeStores('won-deal status and uninstalled portals', (getStore) => {
  it('earned → paid and inside the clawback window → paid once the window has passed', async () => {
    const db = getStore().db;
    // The reference plan with a clawback schedule: 100 % in the first 6 months after close, 50 % until 12.
    await seedTenant(
      getStore(),
      'claw',
      '31337',
      CLOSED_AS_OF,
      (d) => d,
      (p) => ({
        ...p,
        versions: p.versions.map((v) => ({
          ...v,
          clawback: {
            percent: '1',
            method: 'originalRate',
            appliesTo: ['commission'],
            schedule: [
              { monthsSinceCloseBelow: 6, percent: '1' },
              { monthsSinceCloseBelow: 12, percent: '0.5' },
            ],
          },
        })),
      }),
    );
    const data = storeCardData(db, engineEstimator);
    const deal = { id: 'D-2026-022', periodId: '2026-Q3' }; // won 2026-08-06
    expect(await data.settlement('claw', 'anna', deal, CLOSED_AS_OF)).toBe('earned');

    const [q3] = await readPublishedResults(db, 'claw', { periodId: '2026-Q3', payeeIds: ['anna'], lines: false });
    await upsertPayments(db, 'claw', [{ payeeId: 'anna', periodId: '2026-Q3', amount: q3!.earnedToDate }]);
    await recalculateTenant(db, 'claw', { now: CLOSED_AS_OF, engine: domainEngine, actor: 'test', years: ['2026'] });
    expect(await data.settlement('claw', 'anna', deal, CLOSED_AS_OF)).toBe('clawback-window');
    expect(await data.settlement('claw', 'anna', deal, new Date('2027-08-05T12:00:00Z'))).toBe('clawback-window');
    expect(await data.settlement('claw', 'anna', deal, new Date('2027-08-06T12:00:00Z'))).toBe('paid');
  }, 120_000);

  it('a portal whose connection was uninstalled gets 403, even with a valid signature', async () => {
    const store = getStore();
    process.env.HUBSPOT_CLIENT_SECRET = SECRET;
    process.env.HUBSPOT_APP_ID = APP_ID;
    const { app } = createApp({
      store,
      logger: createLogger('silent'),
      now: () => NOW,
      recalc: new RecordingRecalc(),
      publicBaseUrl: ORIGIN,
    });
    const url = hubspotUrl('/hubspot/cards/deals/D-2026-022', '31337', USERS.anna);
    expect((await request(app).get(url).set(signedHeaders(url))).status).toBe(200);
    await store.db
      .updateTable('crm_connections')
      .set({ status: 'uninstalled' })
      .where('tenant_id', '=', 'claw')
      .execute();
    expect((await request(app).get(url).set(signedHeaders(url))).status).toBe(403);
  });
});
