import { createHmac } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyV3 } from '../../server/auth/hubspot-signature.js';
import {
  contactCardView,
  dealCardView,
  planCheckView,
  settingsView,
  teamView,
} from '../../server/http/cards/schemas.js';
import { describeStores } from '../helpers/stores.js';
import { domainEngine } from '../../server/calc/engine.js';
import { recalculateTenant } from '../../server/calc/recalculate.js';
import { readPublishedResults } from '../../server/store/repos/results.js';
import { upsertPayments } from '../../server/store/index.js';
import {
  buildCardHarness,
  CLOSED_AS_OF,
  hubspotUrl,
  NOW,
  ORIGIN,
  PORTAL_CLOSED,
  PORTAL_LIVE,
  SECRET,
  signedHeaders,
  USERS,
} from './harness.js';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('signature v3 (independent computation)', () => {
  it('matches HMAC-SHA256 over method + URI with only the listed %XX decoded + body + timestamp', () => {
    const uri = 'https://api.attain.example/hubspot/cards/deals/1?q=a%2Fb%40c%20d%3Ae';
    const ts = '1789000000000';
    // Decoded by hand: %2F → /, %40 → @, %3A → : ; %20 stays encoded.
    const source = 'GET' + 'https://api.attain.example/hubspot/cards/deals/1?q=a/b@c%20d:e' + '' + ts;
    const signature = createHmac('sha256', SECRET).update(source, 'utf8').digest('base64');
    expect(verifyV3([SECRET], { method: 'GET', uri, rawBody: '', signature, timestamp: ts }, 1789000000000)).toEqual({
      ok: true,
    });
    expect(
      verifyV3([SECRET], { method: 'GET', uri, rawBody: '', signature, timestamp: ts }, 1789000000000 + 300_001),
    ).toEqual({ ok: false, reason: 'stale' });
    expect(
      verifyV3(
        [SECRET],
        { method: 'GET', uri: uri.replace('%20', ' '), rawBody: '', signature, timestamp: ts },
        1789000000000,
      ),
    ).toEqual({ ok: false, reason: 'mismatch' });
    expect(
      verifyV3(['old', SECRET], { method: 'GET', uri, rawBody: '', signature, timestamp: ts }, 1789000000000),
    ).toEqual({ ok: true });
    expect(
      verifyV3([SECRET], { method: 'GET', uri, rawBody: '', signature: undefined, timestamp: ts }, 1789000000000),
    ).toEqual({ ok: false, reason: 'missing-signature' });
    expect(
      verifyV3([SECRET], { method: 'GET', uri, rawBody: '', signature, timestamp: '17e11' }, 1789000000000),
    ).toEqual({ ok: false, reason: 'bad-timestamp' });
  });
});

describeStores('card API (signed HubSpot requests)', (getStore) => {
  let app: Awaited<ReturnType<typeof buildCardHarness>>['app'];
  let recalc: Awaited<ReturnType<typeof buildCardHarness>>['recalc'];
  let closedTenant: string;

  beforeAll(async () => {
    ({ app, recalc, closedTenant } = await buildCardHarness(getStore()));
  }, 120_000);

  const get = (path: string, portal: string, user: string, opts: Parameters<typeof signedHeaders>[1] = {}) => {
    const url = hubspotUrl(path, portal, user);
    return request(app).get(url).set(signedHeaders(url, opts));
  };

  describe('deal card', () => {
    it('valid: Anna sees her estimated commission on her open deal and 120 % attainment after it (da)', async () => {
      const res = await get('/hubspot/cards/deals/D-2026-024?locale=da-DK', PORTAL_LIVE, USERS.anna);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const view = dealCardView.parse(res.body);
      expect(view.status).toBe('open');
      expect(view.periodId).toBe('2026-Q3');
      const anna = view.payees[0]!;
      expect(view.payees).toHaveLength(1);
      expect(anna).toMatchObject({ payeeId: 'anna', isViewer: true, status: 'estimated' });
      expect(anna.credit.amount).toBe('150000');
      // 150,000 entirely in the ≥ 100 % tier: 150,000 × 4 % × 1.5.
      expect(anna.commission.amount).toBe('9000');
      expect(nbsp(anna.commission.formatted)).toBe('9.000,00 kr.');
      expect(nbsp(anna.attainmentAfter.formatted)).toBe('120 %');
      expect(nbsp(anna.attainmentBefore.formatted)).toBe('103,3 %');
      expect(nbsp(anna.earningsAfter.formatted)).toBe('37.800,00 kr.');
      expect(anna.landsInTier).toBe('≥ 100 % (accelerator 1.5×)');
      expect(anna.accelerators.map((a) => a.multiplier)).toEqual(['1.5']);
      expect(anna.why.length).toBeGreaterThan(0);
      expect(view.freshness.calculatedAt).not.toBeNull();
    });

    it('a what-if amount changes the estimate (300,000 → 18,000 in the 1.5× tier)', async () => {
      const res = await get(
        '/hubspot/cards/deals/D-2026-024?locale=en-GB&whatIfAmount=300000',
        PORTAL_LIVE,
        USERS.anna,
      );
      expect(res.status).toBe(200);
      const anna = dealCardView.parse(res.body).payees[0]!;
      expect(res.body.whatIf).toEqual({ amount: '300000' });
      expect(anna.commission.amount).toBe('18000');
      expect(nbsp(anna.commission.formatted)).toBe('DKK 18,000.00');
    });

    it('a won deal shows its credited commission as earned, and as paid once payments cover the period', async () => {
      const earned = await get('/hubspot/cards/deals/D-2026-022?locale=da-DK', PORTAL_CLOSED, USERS.anna);
      expect(earned.status, JSON.stringify(earned.body)).toBe(200);
      const view = dealCardView.parse(earned.body);
      expect(view.status).toBe('won');
      expect(view.payees[0]).toMatchObject({ payeeId: 'anna', status: 'earned', statusText: 'Optjent' });
      expect(nbsp(view.payees[0]!.attainmentAfter.formatted)).toBe('120 %');

      const db = getStore().db;
      const [q3] = await readPublishedResults(db, closedTenant, {
        periodId: '2026-Q3',
        payeeIds: ['anna'],
        lines: false,
      });
      await upsertPayments(db, closedTenant, [
        { payeeId: 'anna', periodId: '2026-Q3', amount: q3!.earnedToDate, reference: 'payroll 2026-09' },
      ]);
      await recalculateTenant(db, closedTenant, {
        now: CLOSED_AS_OF,
        engine: domainEngine,
        actor: 'test',
        years: ['2026'],
      });
      const paid = dealCardView.parse(
        (await get('/hubspot/cards/deals/D-2026-022?locale=en', PORTAL_CLOSED, USERS.anna)).body,
      );
      expect(paid.payees[0]).toMatchObject({ status: 'paid', statusText: 'Paid' });
    });

    it('forged: signed with another secret → 401', async () => {
      const res = await get('/hubspot/cards/deals/D-2026-024', PORTAL_LIVE, USERS.anna, { secret: 'not-the-secret' });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    });

    it('stale: timestamp older than five minutes → 401', async () => {
      const res = await get('/hubspot/cards/deals/D-2026-024', PORTAL_LIVE, USERS.anna, {
        timestamp: NOW.getTime() - 300_001,
      });
      expect(res.status).toBe(401);
    });

    it('no signature at all → 401', async () => {
      expect(
        (await request(app).get(hubspotUrl('/hubspot/cards/deals/D-2026-024', PORTAL_LIVE, USERS.anna))).status,
      ).toBe(401);
    });

    it('URL tampered after signing (another userId) → 401', async () => {
      const signedFor = hubspotUrl('/hubspot/cards/deals/D-2026-024', PORTAL_LIVE, USERS.anna);
      const res = await request(app)
        .get(signedFor.replace(`userId=${USERS.anna}`, `userId=${USERS.mette}`))
        .set(signedHeaders(signedFor));
      expect(res.status).toBe(401);
    });

    it('identity smuggled into the card URL (userId twice) → 401', async () => {
      const res = await get(`/hubspot/cards/deals/D-2026-026?userId=${USERS.mette}`, PORTAL_LIVE, USERS.anna);
      expect(res.status).toBe(401);
    });

    it('wrong portal: a validly signed request from a portal that is not connected → 403', async () => {
      const res = await get('/hubspot/cards/deals/D-2026-024', '99999', USERS.anna);
      expect(res.status).toBe(403);
    });

    it("a seller asking for another seller's deal → 403; the manager sees it → 200", async () => {
      expect((await get('/hubspot/cards/deals/D-2026-026', PORTAL_LIVE, USERS.anna)).status).toBe(403);
      const mette = await get('/hubspot/cards/deals/D-2026-026', PORTAL_LIVE, USERS.mette);
      expect(mette.status).toBe(200);
      expect(dealCardView.parse(mette.body).payees.map((p) => [p.payeeId, p.isViewer])).toEqual([['bo', false]]);
    });

    it('a split deal shows a seller only their own share', async () => {
      const res = await get('/hubspot/cards/deals/D-2026-021', PORTAL_LIVE, USERS.anna);
      expect(res.status).toBe(200);
      expect(dealCardView.parse(res.body).payees.map((p) => p.payeeId)).toEqual(['anna']);
    });

    it('a HubSpot user who is neither a payee nor an admin → 403; an unknown deal → 404; a bad what-if → 400', async () => {
      expect((await get('/hubspot/cards/deals/D-2026-024', PORTAL_LIVE, USERS.stranger)).status).toBe(403);
      expect((await get('/hubspot/cards/deals/D-404', PORTAL_LIVE, USERS.admin)).status).toBe(404);
      const bad = await get('/hubspot/cards/deals/D-2026-024?whatIfAmount=1e6', PORTAL_LIVE, USERS.anna);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('query.whatIfAmount');
    });
  });

  describe('contact card and team view', () => {
    it("shows the owner's quota progress with pacing and the contact's open deals", async () => {
      const res = await get(
        `/hubspot/cards/contacts/501?locale=en-GB&ownerId=owner-anna&dealIds=D-2026-024,D-2026-055,D-2026-001`,
        PORTAL_LIVE,
        USERS.anna,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const view = contactCardView.parse(res.body);
      expect(view.owner).toMatchObject({ payeeId: 'anna', periodId: '2026-Q3', pacing: 'ahead' });
      expect(nbsp(view.owner!.attainment.formatted)).toBe('103.3%');
      expect(view.openDeals.map((d) => [d.dealId, d.commission?.amount])).toEqual([
        ['D-2026-024', '9000'],
        ['D-2026-055', expect.any(String)],
      ]);
    });

    it("hides another seller's quota from a seller", async () => {
      const res = await get(`/hubspot/cards/contacts/502?ownerId=owner-bo&dealIds=D-2026-053`, PORTAL_LIVE, USERS.anna);
      expect(res.status).toBe(200);
      const view = contactCardView.parse(res.body);
      expect(view.owner).toBeNull();
      expect(view.notes[0]).toMatch(/may not see/);
      expect(view.openDeals[0]!.commission).toBeNull();
    });

    it('team view: the reference table for Q3 (team 8,100,000 / 9,000,000 = 90 %)', async () => {
      const res = await get('/hubspot/cards/team?period=2026-Q3&locale=da-DK', PORTAL_CLOSED, USERS.mette);
      expect(res.status).toBe(200);
      const view = teamView.parse(res.body);
      const byId = new Map(view.rows.map((r) => [r.payeeId, r]));
      expect(nbsp(byId.get('anna')!.attainment.formatted)).toBe('120 %');
      expect(nbsp(byId.get('bo')!.attainment.formatted)).toBe('90 %');
      expect(nbsp(byId.get('camilla')!.attainment.formatted)).toBe('70 %');
      expect(nbsp(byId.get('anna')!.achieved.formatted)).toBe('1.080.000,00 kr.');
      expect(view.total!.quota.amount).toBe('9000000');
      expect(view.total!.achieved.amount).toBe('8100000');
      expect(nbsp(view.total!.attainment.formatted)).toBe('90 %');
    });

    it('a seller gets only their own row', async () => {
      const res = await get('/hubspot/cards/team?period=2026-Q3', PORTAL_CLOSED, USERS.bo);
      expect(teamView.parse(res.body).rows.map((r) => r.payeeId)).toEqual(['bo']);
    });
  });

  describe('settings page', () => {
    const post = (path: string, portal: string, user: string, body: unknown, tamper?: (raw: string) => string) => {
      const url = hubspotUrl(path, portal, user);
      const raw = JSON.stringify(body);
      return request(app)
        .post(url)
        .set(signedHeaders(url, { method: 'POST', body: raw }))
        .send(tamper ? tamper(raw) : raw);
    };

    it('admins only: a seller gets 403', async () => {
      expect((await get('/hubspot/settings', PORTAL_LIVE, USERS.anna)).status).toBe(403);
      const res = await get('/hubspot/settings?locale=da-DK', PORTAL_LIVE, USERS.admin);
      expect(res.status).toBe(200);
      const view = settingsView.parse(res.body);
      expect(view.plans.map((p) => p.id)).toEqual(['nordic-sales-2026']);
      expect(view.connection).toMatchObject({ status: 'connected', accountId: PORTAL_LIVE, statusText: 'Forbundet' });
      // No write-back has run for this tenant, so whether attainment records can be written is not known yet.
      expect(view.connection).toMatchObject({
        attainmentRecords: 'unknown',
        attainmentRecordsText: 'Målopfyldelsesposter: ikke kontrolleret endnu',
      });
    });

    const put = (path: string, user: string, body: unknown) => {
      const url = hubspotUrl(path, PORTAL_LIVE, user);
      const raw = JSON.stringify(body);
      return request(app)
        .put(url)
        .set(signedHeaders(url, { method: 'PUT', body: raw }))
        .send(raw);
    };

    it('body tampered after signing → 401', async () => {
      const res = await post('/hubspot/settings/plans/check', PORTAL_LIVE, USERS.admin, { plan: { id: 'x' } }, (raw) =>
        raw.replace('"x"', '"y"'),
      );
      expect(res.status).toBe(401);
    });

    it("check returns the plan schema's field-level messages", async () => {
      const res = await post('/hubspot/settings/plans/check', PORTAL_LIVE, USERS.admin, {
        plan: { id: 'p', name: 'P', currency: 'DKK', versions: [] },
      });
      expect(res.status).toBe(200);
      const view = planCheckView.parse(res.body);
      expect(view.ok).toBe(false);
      expect(view.errors).toContainEqual({ path: 'plan.versions', message: 'a plan needs at least one version' });
    });

    it('preview shows every payee’s payout difference; publishing appends a version and requests a recalculation', async () => {
      const current = settingsView.parse((await get('/hubspot/settings', PORTAL_LIVE, USERS.admin)).body).plans[0]!
        .definition as unknown as { versions: Array<Record<string, unknown>> };
      const v1 = current.versions[0]!;
      const v2 = structuredClone(v1) as { components: Array<{ rates: { tiers: Array<{ rate: string }> } }> };
      v2.components[0]!.rates.tiers[2]!.rate = '0.05';
      const plan = { ...current, versions: [v1, { ...v2, id: '2026-v2', effectiveFrom: '2026-07-01' }] };
      const preview = await post('/hubspot/settings/plans/preview', PORTAL_LIVE, USERS.admin, { plan, locale: 'en' });
      expect(preview.status, JSON.stringify(preview.body)).toBe(200);
      expect(preview.body.periodId).toBe('2026-Q3');
      expect(preview.body.rows).toHaveLength(11);
      const annaRow = preview.body.rows.find((r: { payeeId: string }) => r.payeeId === 'anna');
      // Anna's 30,000 above quota (on Sep 15) now pays 5 % × 1.5 instead of 4 % × 1.5: +450.
      expect(annaRow.difference.amount).toBe('450');
      const published = await post('/hubspot/settings/plans/publish', PORTAL_LIVE, USERS.admin, { plan });
      expect(published.status, JSON.stringify(published.body)).toBe(201);
      expect(published.body).toMatchObject({
        planId: 'nordic-sales-2026',
        revision: 2,
        versionId: '2026-v2',
        effectiveFrom: '2026-07-01',
      });
      expect(recalc.requests.at(-1)?.actor).toBe(`hubspot-user:${USERS.admin} (admin)`);
      const again = await post('/hubspot/settings/plans/publish', PORTAL_LIVE, USERS.admin, {
        plan: { ...plan, versions: [v2 as object] },
      });
      expect(again.status).toBe(400);
      expect(again.body.errors[0].message).toMatch(/history/);
    });

    // Last: an assignment for one payee takes the others off the plan, which the tests above rely on.
    it('sets quotas and assignments (validated, all or nothing) and requests a recalculation', async () => {
      const bad = await put('/hubspot/settings/quotas', USERS.admin, {
        quotas: [
          { payeeId: 'bo', periodId: '2026-Q4', amount: '950000' },
          { payeeId: 'nobody', periodId: '2026-Q5', amount: '-1' },
        ],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual([
        'body.quotas.1.periodId',
        'body.quotas.1.amount',
      ]);
      const missing = await put('/hubspot/settings/quotas', USERS.admin, {
        quotas: [{ payeeId: 'nobody', periodId: '2026-Q4', amount: '1' }],
      });
      expect(missing.body.errors).toEqual([
        { path: 'body.quotas.0.payeeId', message: 'payee "nobody" does not exist' },
      ]);
      const before = recalc.requests.length;
      const ok = await put('/hubspot/settings/quotas', USERS.admin, {
        quotas: [{ payeeId: 'bo', periodId: '2026-Q4', amount: '950000' }],
      });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(recalc.requests.length).toBe(before + 1);
      const settings = settingsView.parse((await get('/hubspot/settings', PORTAL_LIVE, USERS.admin)).body);
      expect(settings.quotas.find((q) => q.payeeId === 'bo' && q.periodId === '2026-Q4')?.amount.amount).toBe('950000');
      const assignment = await put('/hubspot/settings/assignments', USERS.admin, {
        assignments: [{ payeeId: 'bo', planId: 'nordic-sales-2026', from: '2026-01-01', to: null }],
      });
      expect(assignment.status, JSON.stringify(assignment.body)).toBe(200);
      const unknownPlan = await put('/hubspot/settings/assignments', USERS.admin, {
        assignments: [{ payeeId: 'bo', planId: 'nope', from: '2026-01-01' }],
      });
      expect(unknownPlan.body.errors).toEqual([
        { path: 'body.assignments.0.planId', message: 'plan "nope" does not exist' },
      ]);
      expect(
        (
          await put('/hubspot/settings/quotas', USERS.anna, {
            quotas: [{ payeeId: 'anna', periodId: '2026-Q4', amount: '1' }],
          })
        ).status,
      ).toBe(403);
    });
  });

  it('HubSpot origin is the configured one', () => {
    expect(ORIGIN).toBe('https://api.attain.example');
  });
});
