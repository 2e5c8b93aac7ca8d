/**
 * Write-back unit paths through the real HubSpot connector with nock (no network): only changed values,
 * property check first, 429 with Retry-After retried, per-record failures (retryable stays queued with its
 * exact values, permanent is dropped and reported), a resumed outbox resent unchanged before anything new.
 */
import nock from 'nock';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { HubSpotConnector } from '../../server/crm/hubspot/connector.js';
import { PortalBudgets } from '../../server/crm/hubspot/limiter.js';
import { ATTAIN_DEAL_PROPERTIES } from '../../server/crm/hubspot/properties.js';
import { upsertTenant, type Store } from '../../server/store/index.js';
import { EMPTY_VALUES, type DealValues } from '../../server/writeback/deal-results.js';
import { pendingWriteBacks, writeBackDeals } from '../../server/writeback/writeback.js';
import { describeStores } from '../helpers/stores.js';

const API = 'https://api.hubapi.com';
const T1 = new Date('2026-10-15T09:00:00.000Z');
const T2 = new Date('2026-10-15T10:00:00.000Z');

const properties = {
  results: ATTAIN_DEAL_PROPERTIES.map((p) => ({
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    groupName: 'attain',
    calculated: false,
    modificationMetadata: { readOnlyValue: false },
  })),
};

function connector() {
  return new HubSpotConnector({
    portalKey: 'p1',
    accessToken: async () => 'token',
    basePath: API,
    budgets: new PortalBudgets(),
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  });
}

const values = (v: Partial<DealValues>): DealValues => ({ ...EMPTY_VALUES, ...v });
const updated = (ids: string[]) => ({
  status: 'COMPLETE',
  results: ids.map((id) => ({ id, properties: { hs_lastmodifieddate: '2026-10-15T10:00:00.000Z' } })),
});

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describeStores('write-back', (getStore: () => Store) => {
  const tenantId = 'wb';
  const run = (desired: Map<string, DealValues>, now: Date) =>
    writeBackDeals({ db: getStore().db, tenantId, connector: connector(), now: () => now }, desired);

  beforeEach(async () => {
    await upsertTenant(getStore().db, { id: tenantId, name: 'wb', currency: 'DKK', fiscalYearStartMonth: 1 });
  });

  it('writes the values that differ, then nothing once they are in HubSpot', async () => {
    const desired = new Map([
      ['1', values({ earnedCommission: '1200.00', commissionPeriod: '2026-Q3', ownerAttainment: '120.00' })],
      ['2', values({})], // nothing to write and never written: skipped
    ]);
    const scope = nock(API)
      .get('/crm/v3/properties/deals')
      .query(true)
      .reply(200, properties)
      .post('/crm/v3/objects/deals/batch/update', {
        inputs: [
          {
            id: '1',
            properties: {
              attain_earned_commission: '1200.00',
              attain_commission_period: '2026-Q3',
              attain_owner_attainment: '120.00',
              attain_last_calculated_at: T1.toISOString(),
            },
          },
        ],
      })
      .reply(200, updated(['1']));
    const first = await run(desired, T1);
    expect(first.written.map((w) => w.dealId)).toEqual(['1']);
    expect(first.unchanged).toBe(1);
    scope.done();

    // Same values again: the property check runs, no update is sent.
    const again = nock(API).get('/crm/v3/properties/deals').query(true).reply(200, properties);
    const second = await run(desired, T2);
    expect(second.written).toEqual([]);
    again.done();

    // One field changes: only it (and the stamp) is sent.
    desired.set('1', values({ earnedCommission: '1300.00', commissionPeriod: '2026-Q3', ownerAttainment: '120.00' }));
    const third = nock(API)
      .get('/crm/v3/properties/deals')
      .query(true)
      .reply(200, properties)
      .post('/crm/v3/objects/deals/batch/update', {
        inputs: [
          { id: '1', properties: { attain_earned_commission: '1300.00', attain_last_calculated_at: T2.toISOString() } },
        ],
      })
      .reply(200, updated(['1']));
    expect((await run(desired, T2)).written).toHaveLength(1);
    third.done();
  });

  it('refuses to write when a property is missing or has the wrong type', async () => {
    const broken = {
      results: properties.results
        .filter((p) => p.name !== 'attain_tier_reached')
        .map((p) => (p.name === 'attain_earned_commission' ? { ...p, type: 'string', fieldType: 'text' } : p)),
    };
    const scope = nock(API).get('/crm/v3/properties/deals').query(true).reply(200, broken);
    const report = await run(new Map([['9', values({ earnedCommission: '5.00' })]]), T1);
    expect(report.problems.map((p) => `${p.property}:${p.problem}`).sort()).toEqual([
      'attain_earned_commission:wrong-type',
      'attain_tier_reached:missing',
    ]);
    expect(report.written).toEqual([]);
    scope.done();
  });

  it('retries a 429 after its Retry-After, keeps a retryable record queued with its exact values and drops a permanent failure', async () => {
    const desired = new Map([
      ['10', values({ earnedCommission: '10.00' })],
      ['11', values({ earnedCommission: '11.00' })],
      ['12', values({ earnedCommission: '12.00' })],
    ]);
    const scope = nock(API)
      .get('/crm/v3/properties/deals')
      .query(true)
      .reply(200, properties)
      .post('/crm/v3/objects/deals/batch/update')
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'Retry-After': '0' },
      )
      .post('/crm/v3/objects/deals/batch/update')
      .reply(207, {
        status: 'COMPLETE',
        results: updated(['10']).results,
        numErrors: 2,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'deal 11 does not exist',
            context: { ids: ['11'] },
          },
          { status: 'error', category: 'INTERNAL_ERROR', message: 'try again', context: { ids: ['12'] } },
        ],
      });
    const report = await run(desired, T1);
    scope.done();
    expect(report.written.map((w) => w.dealId)).toEqual(['10']);
    expect(report.failed.map((f) => `${f.dealId}:${f.category}:${f.retryable}`)).toEqual([
      '11:OBJECT_NOT_FOUND:false',
      '12:INTERNAL_ERROR:true',
    ]);
    expect(await pendingWriteBacks(getStore().db, tenantId)).toBe(1);

    // Next run (later, new values for 12): the queued record goes first with the values and stamp it was
    // recorded with; its newer value follows in a later run once that write is confirmed.
    desired.set('12', values({ earnedCommission: '12.50' }));
    const resume = nock(API)
      .get('/crm/v3/properties/deals')
      .query(true)
      .reply(200, properties)
      .post('/crm/v3/objects/deals/batch/update', {
        inputs: [
          { id: '12', properties: { attain_earned_commission: '12.00', attain_last_calculated_at: T1.toISOString() } },
        ],
      })
      .reply(200, updated(['12']))
      .post(
        '/crm/v3/objects/deals/batch/update',
        (body: { inputs: Array<{ id: string }> }) => body.inputs.map((i) => i.id).join() === '11,12',
      )
      .reply(200, updated(['11', '12']));
    const resumed = await run(desired, T2);
    resume.done();
    expect(resumed.resumed).toBe(1);
    expect(await pendingWriteBacks(getStore().db, tenantId)).toBe(0);
    const state = await sql<{
      record_id: string;
      value: string;
    }>`SELECT record_id, value FROM writeback_state WHERE tenant_id = ${tenantId} AND property = 'earnedCommission' AND record_id = '12'`.execute(
      getStore().db,
    );
    expect(state.rows[0]!.value).toBe('12.50');
  });
});
