/**
 * The reference scenario end to end through the API: plan and data imported over HTTP, a recalculation
 * triggered over HTTP (real engine, published atomically), then the manager's team table and a seller's
 * summary read back — Anna 120 %, Bo 90 %, Camilla 70 %, team 9,000,000 / 8,100,000 = 90 %.
 */
import request from 'supertest';
import { beforeAll, expect, it } from 'vitest';
import { domainEngine } from '../../server/calc/engine.js';
import { recalculateTenant } from '../../server/calc/index.js';
import { createLogger } from '../../server/log.js';
import { TenantRecalcRunner } from '../../server/recalc-runner.js';
import { payeeSummaryView } from '../../server/http/schemas.js';
import { describeStores } from '../helpers/stores.js';
import { bearer, buildHarness, NOW, referenceData, referencePlan } from './harness.js';

describeStores('reference scenario through the API', (getStore) => {
  let h: Awaited<ReturnType<typeof buildHarness>>;
  let runs = 0;

  beforeAll(async () => {
    const store = getStore();
    const runner = new TenantRecalcRunner(async (tenantId, actor, onStarted) => {
      runs++;
      const r = await recalculateTenant(store.db, tenantId, { now: NOW, actor, engine: domainEngine });
      onStarted(r.runId);
    }, createLogger('silent'));
    h = await buildHarness(store, runner);
    await request(h.app).post('/api/v1/plans').set(bearer(h.tokens.admin)).send(referencePlan).expect(201);
    const imported = await request(h.app).post('/api/v1/import').set(bearer(h.tokens.admin)).send(referenceData);
    expect(imported.status).toBe(200);
    expect(imported.body.recalculationRequested).toBe(true);
    await h.issueRoleTokens();
  });

  it('POST /recalculations answers 202 with a run id whose status can be read', async () => {
    const before = runs;
    const res = await request(h.app).post('/api/v1/recalculations').set(bearer(h.tokens.admin));
    expect(res.status).toBe(202);
    expect(runs).toBe(before + 1);
    const run = await request(h.app).get(`/api/v1/recalculations/${res.body.runId}`).set(bearer(h.tokens.admin));
    expect(run.body).toMatchObject({ runId: res.body.runId, status: 'published', kind: 'full' });
    expect(
      (await request(h.app).get(`/api/v1/recalculations/${res.body.runId}`).set(bearer(h.tokens.otherAdmin))).status,
    ).toBe(404);
  });

  it('the team table for 2026-Q3 has the reference figures, totals sum/sum', async () => {
    for (const token of [h.tokens.admin, h.tokens.manager]) {
      const res = await request(h.app).get('/api/v1/teams/nordic-sales/attainment?period=2026-Q3').set(bearer(token));
      expect(res.status).toBe(200);
      const byId = Object.fromEntries(res.body.sellers.map((s: { payeeId: string }) => [s.payeeId, s]));
      expect(res.body.sellers).toHaveLength(10);
      expect(byId.anna).toMatchObject({ quota: '900000', achieved: '1080000', attainment: '1.2', calculated: true });
      expect(byId.bo).toMatchObject({ quota: '900000', achieved: '810000', attainment: '0.9' });
      expect(byId.camilla).toMatchObject({ quota: '900000', achieved: '630000', attainment: '0.7' });
      expect(res.body.totals).toMatchObject({ quota: '9000000', achieved: '8100000', attainment: '0.9' });
    }
  });

  it("a seller's summary carries payout lines with traces that add up to the earnings", async () => {
    const res = await request(h.app).get('/api/v1/payees/anna/summary?period=2026-Q3').set(bearer(h.tokens.anna));
    expect(res.status).toBe(200);
    // The hand-built JSON must satisfy the documented response schema.
    expect(payeeSummaryView.safeParse(res.body).error).toBeUndefined();
    expect(res.body).toMatchObject({ payeeId: 'anna', name: 'Anna Jensen', periodId: '2026-Q3' });
    expect(new Date(res.body.publishedAt).toISOString()).toBe(res.body.publishedAt);
    const { result } = res.body;
    expect(result).toMatchObject({ currency: 'DKK', quota: '900000', credited: '1080000', attainment: '1.2' });
    expect(result.lines.length).toBeGreaterThan(0);
    for (const line of result.lines) expect(line.trace.length).toBeGreaterThan(0);
    const cents = result.lines.reduce(
      (acc: bigint, l: { amount: string }) => acc + BigInt(l.amount.replace('.', '')),
      0n,
    );
    expect(cents).toBe(BigInt(result.earnings.replace('.', '')));
  });
});
