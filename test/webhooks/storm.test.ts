/**
 * Must show 4: a storm of 1,000 webhook events (20 % duplicates, shuffled, with stale property values) ends in
 * the same HubSpot state as one ordered delivery of the unique events; forged, stale and replayed signatures
 * are refused and store nothing.
 */
import request from 'supertest';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../server/sandbox/seeded-random.js';
import type { ChangeEvent } from '../../server/sandbox/hubspot/portal.js';
import { attainState, expectedFromEngine, FIXED_NOW, withoutStamp } from '../e2e/helpers.js';
import { signedHeaders, startHarness, templateDataDirs, type Harness, type WebhookEvent } from './harness.js';

/** 800 changes to the scenario's deals (amounts, stages, owners), applied the same way to any sandbox. */
function applyChanges(h: Harness): WebhookEvent[] {
  const random = seededRandom(99);
  const portal = h.sandbox.state;
  const ids = [...portal.objects.deals.keys()].sort();
  const owners = [...portal.owners.keys()].sort();
  const stages = ['closedwon', 'contractsent', 'closedlost', 'qualifiedtobuy'];
  const captured: ChangeEvent[] = [];
  portal.onChange((e) => captured.push(e));
  while (captured.length < 800) {
    const id = ids[Math.floor(random() * ids.length)]!;
    const r = random();
    const properties: Record<string, string> =
      r < 0.7
        ? {
            amount: `${100_000 + Math.floor(random() * 900_000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`,
          }
        : r < 0.9
          ? { dealstage: stages[Math.floor(random() * stages.length)]! }
          : { hubspot_owner_id: owners[Math.floor(random() * owners.length)]! };
    portal.updateDeals([{ id, properties }], 'CRM_UI');
  }
  return captured.slice(0, 800).map((e, i) => ({
    eventId: 1_000 + i,
    subscriptionId: 1010,
    portalId: portal.portalId,
    appId: h.sandbox.app.appId,
    occurredAt: e.occurredAt,
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: Number(e.objectId),
    objectTypeId: '0-3',
    changeSource: e.changeSource,
    ...(e.propertyName ? { propertyName: e.propertyName, propertyValue: e.propertyValue ?? '' } : {}),
  }));
}

async function deliver(h: Harness, events: WebhookEvent[], chunk: number): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    const body = JSON.stringify(events.slice(i, i + chunk));
    await request(h.app)
      .post('/hubspot/webhooks')
      .set(signedHeaders(h.sandbox.app.clientSecret, body))
      .send(body)
      .expect(204);
  }
  await h.service.idle(h.tenantId);
}

describe('webhook storm', () => {
  let storm: Harness;
  let ordered: Harness;
  beforeAll(async () => {
    const [a, b] = await templateDataDirs(2);
    storm = await startHarness(a!);
    ordered = await startHarness(b!);
  }, 120_000);
  afterAll(async () => {
    await storm?.close();
    await ordered?.close();
  });

  it('1,000 events with 20 % duplicates, shuffled, give the result of one ordered delivery', async () => {
    const unique = applyChanges(storm);
    expect(unique).toHaveLength(800);
    const random = seededRandom(5);
    const duplicates = Array.from({ length: 200 }, () => ({
      ...unique[Math.floor(random() * unique.length)]!,
      attemptNumber: 1,
    }));
    const shuffled = [...unique, ...duplicates];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    // Stale values in the events must not matter: the deal is re-read.
    for (const e of shuffled.slice(0, 50)) if (e.propertyName === 'amount') e.propertyValue = '1';
    expect(shuffled).toHaveLength(1000);
    await deliver(storm, shuffled, 100);

    await deliver(
      ordered,
      [...applyChanges(ordered)].sort((a, b) => a.occurredAt - b.occurredAt),
      1000,
    );

    const inbox = await sql<{ n: string }>`SELECT count(*) AS n FROM webhook_inbox`.execute(storm.store.db);
    expect(Number(inbox.rows[0]!.n)).toBe(800);
    expect(attainState(storm.sandbox)).toEqual(attainState(ordered.sandbox));
    const expected = await expectedFromEngine(storm.store, storm.tenantId, FIXED_NOW.toISOString().slice(0, 10));
    expect(withoutStamp(attainState(storm.sandbox))).toEqual(expected);
    // Nothing was re-processed in a loop: our own writes raise no events (we subscribe to no attain_* property).
    const pending = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM webhook_inbox WHERE processed_at IS NULL`.execute(storm.store.db);
    expect(Number(pending.rows[0]!.n)).toBe(0);
  }, 120_000);

  it('refuses forged, stale and replayed signatures and stores nothing for them', async () => {
    const h = storm;
    const count = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM webhook_inbox`.execute(h.store.db)).rows[0]!.n);
    const before = await count();
    const event = {
      eventId: 9_999_001,
      subscriptionId: 1010,
      portalId: h.sandbox.state.portalId,
      occurredAt: Date.now(),
      subscriptionType: 'deal.propertyChange',
      objectId: 1,
      objectTypeId: '0-3',
      propertyName: 'amount',
      propertyValue: '5',
    };
    const body = JSON.stringify([event]);

    await request(h.app).post('/hubspot/webhooks').set(signedHeaders('not-the-secret', body)).send(body).expect(401);
    await request(h.app)
      .post('/hubspot/webhooks')
      .set(signedHeaders(h.sandbox.app.clientSecret, body, Date.now() - 301_000))
      .send(body)
      .expect(401);
    const tampered = JSON.stringify([{ ...event, propertyValue: '6' }]);
    await request(h.app)
      .post('/hubspot/webhooks')
      .set(signedHeaders(h.sandbox.app.clientSecret, body))
      .send(tampered)
      .expect(401);
    await request(h.app).post('/hubspot/webhooks').set({ 'Content-Type': 'application/json' }).send(body).expect(401);
    expect(await count()).toBe(before);

    const headers = signedHeaders(h.sandbox.app.clientSecret, body);
    await request(h.app).post('/hubspot/webhooks').set(headers).send(body).expect(204);
    await request(h.app).post('/hubspot/webhooks').set(headers).send(body).expect(401);
    expect(await count()).toBe(before + 1);

    const bad = JSON.stringify([{ eventId: 'x' }]);
    const r = await request(h.app)
      .post('/hubspot/webhooks')
      .set(signedHeaders(h.sandbox.app.clientSecret, bad))
      .send(bad)
      .expect(400);
    expect(JSON.stringify(r.body)).toContain('body.0.eventId');
    await h.service.idle(h.tenantId);
  });
});
