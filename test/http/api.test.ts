import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../helpers/stores.js';
import { bearer, buildHarness, referenceData, referencePlan, RecordingRecalc } from './harness.js';

describeStores('HTTP API', (getStore) => {
  let h: Awaited<ReturnType<typeof buildHarness>>;
  const recalc = new RecordingRecalc();

  beforeAll(async () => {
    h = await buildHarness(getStore(), recalc);
    const plan = await request(h.app).post('/api/v1/plans').set(bearer(h.tokens.admin)).send(referencePlan);
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const imported = await request(h.app).post('/api/v1/import').set(bearer(h.tokens.admin)).send(referenceData);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    await h.issueRoleTokens();
  });

  describe('health and documents', () => {
    it('answers /healthz and /readyz', async () => {
      expect((await request(h.app).get('/healthz')).body).toEqual({ status: 'ok' });
      const ready = await request(h.app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    });

    it('serves an OpenAPI 3 document generated from the schemas', async () => {
      const res = await request(h.app).get('/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/teams/{teamId}/attainment',
          '/api/v1/payees/{payeeId}/summary',
          '/api/v1/plans',
          '/api/v1/import',
        ]),
      );
      const period = res.body.paths['/api/v1/teams/{teamId}/attainment'].get.parameters.find(
        (p: { name: string }) => p.name === 'period',
      );
      expect(period).toMatchObject({ in: 'query', required: true });
    });

    it('gives every response a request id', async () => {
      const res = await request(h.app).get('/healthz');
      expect(res.headers['x-request-id']).toMatch(/./);
    });
  });

  describe('authentication and scope', () => {
    it('401 without or with a bad token', async () => {
      const none = await request(h.app).get('/api/v1/payees');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      expect(
        (
          await request(h.app)
            .get('/api/v1/payees')
            .set(bearer('att_' + 'x'.repeat(43)))
        ).status,
      ).toBe(401);
      expect((await request(h.app).get('/api/v1/payees').set('Authorization', 'Basic abc')).status).toBe(401);
    });

    it("another tenant's payee or team is 404", async () => {
      expect(
        (await request(h.app).get('/api/v1/payees/anna/summary?period=2026-Q3').set(bearer(h.tokens.otherAdmin)))
          .status,
      ).toBe(404);
      expect(
        (
          await request(h.app)
            .get('/api/v1/teams/nordic-sales/attainment?period=2026-Q3')
            .set(bearer(h.tokens.otherAdmin))
        ).status,
      ).toBe(404);
      expect((await request(h.app).get('/api/v1/payees').set(bearer(h.tokens.otherAdmin))).body.payees).toEqual([]);
    });

    it("another seller's data is 403; their own is 200", async () => {
      expect(
        (await request(h.app).get('/api/v1/payees/bo/summary?period=2026-Q3').set(bearer(h.tokens.anna))).status,
      ).toBe(403);
      expect(
        (await request(h.app).get('/api/v1/payees/anna/summary?period=2026-Q3').set(bearer(h.tokens.anna))).status,
      ).toBe(200);
      expect(
        (await request(h.app).get('/api/v1/teams/nordic-sales/attainment?period=2026-Q3').set(bearer(h.tokens.anna)))
          .status,
      ).toBe(403);
      expect((await request(h.app).get('/api/v1/quotas?payeeId=bo').set(bearer(h.tokens.anna))).status).toBe(403);
      const own = await request(h.app).get('/api/v1/payees').set(bearer(h.tokens.anna));
      expect(own.body.payees.map((p: { id: string }) => p.id)).toEqual(['anna']);
    });

    it('a manager sees their subtree and their team', async () => {
      const list = await request(h.app).get('/api/v1/payees?limit=100').set(bearer(h.tokens.manager));
      expect(list.body.payees).toHaveLength(11);
      expect(
        (await request(h.app).get('/api/v1/payees/bo/summary?period=2026-Q3').set(bearer(h.tokens.manager))).status,
      ).toBe(200);
      expect(
        (await request(h.app).get('/api/v1/teams/nordic-sales/attainment?period=2026-Q3').set(bearer(h.tokens.manager)))
          .status,
      ).toBe(200);
    });

    it('only admins change data', async () => {
      const res = await request(h.app)
        .put('/api/v1/quotas')
        .set(bearer(h.tokens.manager))
        .send({ quotas: [{ payeeId: 'anna', periodId: '2026-Q3', amount: '1' }] });
      expect(res.status).toBe(403);
      expect((await request(h.app).post('/api/v1/recalculations').set(bearer(h.tokens.anna))).status).toBe(403);
    });
  });

  describe('validation: 400 with field-level messages', () => {
    it('bad query parameters name the parameter', async () => {
      const res = await request(h.app)
        .get('/api/v1/teams/nordic-sales/attainment?period=2026-Q5')
        .set(bearer(h.tokens.admin));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'query.period', message: expect.stringContaining('period id') }]);
      const missing = await request(h.app).get('/api/v1/payees/anna/summary').set(bearer(h.tokens.admin));
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0].path).toBe('query.period');
      const unknown = await request(h.app)
        .get('/api/v1/payees/anna/summary?period=2026-Q3&perod=x')
        .set(bearer(h.tokens.admin));
      expect(unknown.status).toBe(400);
    });

    it('malformed JSON is a 400, not a 500', async () => {
      const res = await request(h.app)
        .post('/api/v1/plans')
        .set(bearer(h.tokens.admin))
        .set('Content-Type', 'application/json')
        .send('{"id": ');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body', message: 'is not valid JSON' }]);
    });

    it('an invalid plan names each bad field and stores nothing', async () => {
      const bad = structuredClone(referencePlan) as {
        id: string;
        currency: string;
        versions: { components: { rates: { tiers: { rate: string }[] } }[] }[];
      };
      bad.id = 'broken-plan';
      bad.currency = 'DKKK';
      bad.versions[0]!.components[0]!.rates.tiers[1]!.rate = '4%';
      const res = await request(h.app).post('/api/v1/plans').set(bearer(h.tokens.admin)).send(bad);
      expect(res.status).toBe(400);
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining(['body.currency', 'body.versions.0.components.0.rates.tiers.1.rate']),
      );
      expect((await request(h.app).get('/api/v1/plans/broken-plan').set(bearer(h.tokens.admin))).status).toBe(404);
    });

    it('an invalid quota is rejected and nothing is stored', async () => {
      const res = await request(h.app)
        .put('/api/v1/quotas')
        .set(bearer(h.tokens.admin))
        .send({
          quotas: [
            { payeeId: 'anna', periodId: '2027-Q1', amount: '100' },
            { payeeId: 'bo', periodId: '2027-Q1', amount: '-5' },
            { payeeId: 'nobody', periodId: '2027-Q1', amount: '5' },
          ],
        });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.quotas.1.amount', message: 'must not be negative' }]);
      const unknownPayee = await request(h.app)
        .put('/api/v1/quotas')
        .set(bearer(h.tokens.admin))
        .send({
          quotas: [
            { payeeId: 'anna', periodId: '2027-Q1', amount: '100' },
            { payeeId: 'nobody', periodId: '2027-Q1', amount: '5' },
          ],
        });
      expect(unknownPayee.status).toBe(400);
      expect(unknownPayee.body.errors).toEqual([
        { path: 'body.quotas.1.payeeId', message: 'payee "nobody" does not exist' },
      ]);
      const stored = await request(h.app).get('/api/v1/quotas?payeeId=anna&year=2027').set(bearer(h.tokens.admin));
      expect(stored.body.quotas).toEqual([]);
    });

    it('a bad CSV row is rejected naming row and column; nothing is stored', async () => {
      const csv = [
        'id,ownerId,amount,currency,status,closeDate',
        'X-1,anna,1000,DKK,won,2026-08-01',
        'X-2,bo,12.5.0,DKK,won,2026-08-02',
        'X-3,bo,100,DKK,maybe,2026-08-02',
      ].join('\n');
      const res = await request(h.app)
        .post('/api/v1/import?kind=deals')
        .set(bearer(h.tokens.admin))
        .set('Content-Type', 'text/csv')
        .send(csv);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { path: 'row 3, column amount', message: expect.stringContaining('decimal string') },
        { path: 'row 4, column status', message: expect.any(String) },
      ]);
      const quotasCsv = 'payeeId,periodId,amount\nanna,2027-Q1,100\nghost,2027-Q1,100\n';
      const ref = await request(h.app)
        .post('/api/v1/import?kind=quotas')
        .set(bearer(h.tokens.admin))
        .set('Content-Type', 'text/csv')
        .send(quotasCsv);
      expect(ref.status).toBe(400);
      expect(ref.body.errors).toEqual([
        { path: 'row 3, column payeeId', message: expect.stringContaining('"ghost" does not exist') },
      ]);
      expect(
        (await request(h.app).get('/api/v1/quotas?payeeId=anna&year=2027').set(bearer(h.tokens.admin))).body.quotas,
      ).toEqual([]);
    });

    it('a good CSV import stores every row and queues a recalculation', async () => {
      const before = recalc.requests.length;
      const res = await request(h.app)
        .post('/api/v1/import?kind=quotas')
        .set(bearer(h.tokens.admin))
        .set('Content-Type', 'text/csv')
        .send('payeeId,periodId,amount\nanna,2027-Q1,950000\nbo,2027-Q1,950000\n');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.counts.quotas).toBe(2);
      expect(recalc.requests.length).toBe(before + 1);
      expect(
        (await request(h.app).get('/api/v1/quotas?year=2027').set(bearer(h.tokens.admin))).body.quotas,
      ).toHaveLength(2);
    });
  });

  describe('plans keep their history', () => {
    it('adds a version with a later effectiveFrom and refuses to rewrite one', async () => {
      const version = structuredClone((referencePlan as { versions: Record<string, unknown>[] }).versions[0]!);
      version.id = '2026-v2';
      version.effectiveFrom = '2026-10-01';
      const added = await request(h.app)
        .post('/api/v1/plans/nordic-sales-2026/versions')
        .set(bearer(h.tokens.admin))
        .send(version);
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      expect(added.body.revision).toBe(2);
      const early = await request(h.app)
        .post('/api/v1/plans/nordic-sales-2026/versions')
        .set(bearer(h.tokens.admin))
        .send({ ...version, id: '2026-v0', effectiveFrom: '2025-01-01' });
      expect(early.status).toBe(400);
      expect(early.body.errors[0].path).toBe('body.effectiveFrom');

      const current = (await request(h.app).get('/api/v1/plans/nordic-sales-2026').set(bearer(h.tokens.admin))).body
        .plan;
      current.versions[0].components[0].rates.tiers[0].rate = '0.03';
      const rewrite = await request(h.app)
        .put('/api/v1/plans/nordic-sales-2026')
        .set(bearer(h.tokens.admin))
        .send(current);
      expect(rewrite.status).toBe(400);
      expect(rewrite.body.errors[0].path).toBe('body.versions.0');

      const versions = await request(h.app).get('/api/v1/plans/nordic-sales-2026/versions').set(bearer(h.tokens.admin));
      expect(versions.body.versions.map((v: { id: string }) => v.id)).toEqual(['2026-v1', '2026-v2']);
      expect(versions.body.revisions.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    });
  });

  describe('tokens', () => {
    it('creates a token shown once, which then works, and can be revoked', async () => {
      const created = await request(h.app)
        .post('/api/v1/tokens')
        .set(bearer(h.tokens.admin))
        .send({ name: 'ci', role: 'seller', payeeId: 'camilla' });
      expect(created.status).toBe(201);
      expect(
        (await request(h.app).get('/api/v1/payees/camilla/summary?period=2026-Q3').set(bearer(created.body.token)))
          .status,
      ).toBe(200);
      const list = await request(h.app).get('/api/v1/tokens').set(bearer(h.tokens.admin));
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
      expect(
        (await request(h.app).delete(`/api/v1/tokens/${created.body.id}`).set(bearer(h.tokens.admin))).status,
      ).toBe(200);
      expect(
        (await request(h.app).get('/api/v1/payees/camilla/summary?period=2026-Q3').set(bearer(created.body.token)))
          .status,
      ).toBe(401);
      const noPayee = await request(h.app)
        .post('/api/v1/tokens')
        .set(bearer(h.tokens.admin))
        .send({ name: 'x', role: 'seller' });
      expect(noPayee.body.errors).toEqual([{ path: 'body.payeeId', message: expect.stringContaining('required') }]);
    });
  });
});
