import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ATTAIN_DEAL_PROPERTIES } from '../../server/crm/hubspot/index.js';
import { API, testConnector } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function propertyJson(name: string, type: string, fieldType: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    label: name,
    type,
    fieldType,
    groupName: 'attain',
    description: '',
    options: [],
    calculated: false,
    archived: false,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    ...extra,
  };
}

const ours = () => ATTAIN_DEAL_PROPERTIES.map((d) => propertyJson(d.name, d.type, d.fieldType));

describe('provisioning the Attain properties', () => {
  it('creates the group and every missing property', async () => {
    const created: string[] = [];
    const scope = nock(API)
      .post('/crm/v3/properties/deals/groups', { name: 'attain', label: 'Attain', displayOrder: -1 })
      .reply(201, { name: 'attain', label: 'Attain', displayOrder: -1, archived: false })
      .get('/crm/v3/properties/deals')
      .query({ archived: 'false' })
      .reply(200, { results: [propertyJson('amount', 'number', 'number', { groupName: 'dealinformation' })] })
      .post('/crm/v3/properties/deals', (b) => {
        created.push(b.name);
        return b.groupName === 'attain' && b.formField === false;
      })
      .times(ATTAIN_DEAL_PROPERTIES.length)
      .reply(201, (_uri, body) =>
        propertyJson(
          (body as { name: string }).name,
          (body as { type: string }).type,
          (body as { fieldType: string }).fieldType,
        ),
      )
      .get('/crm/v3/properties/deals')
      .query({ archived: 'false' })
      .reply(200, { results: ours() });
    const { connector } = testConnector();
    const report = await connector.ensureProperties();
    expect(report).toEqual({
      groupCreated: true,
      created: ATTAIN_DEAL_PROPERTIES.map((d) => d.name),
      existing: [],
      problems: [],
    });
    expect(created).toEqual(ATTAIN_DEAL_PROPERTIES.map((d) => d.name));
    scope.done();
  });

  it('is idempotent: an existing group (409) and existing properties create nothing', async () => {
    const scope = nock(API)
      .post('/crm/v3/properties/deals/groups')
      .reply(409, {
        status: 'error',
        message: "A property group named 'attain' already exists.",
        category: 'OBJECT_ALREADY_EXISTS',
      })
      .get('/crm/v3/properties/deals')
      .query({ archived: 'false' })
      .reply(200, { results: ours() });
    const { connector, retries } = testConnector();
    const report = await connector.ensureProperties();
    expect(report).toEqual({
      groupCreated: false,
      created: [],
      existing: ATTAIN_DEAL_PROPERTIES.map((d) => d.name),
      problems: [],
    });
    expect(retries).toEqual([]);
    scope.done();
  });

  it('treats a property created meanwhile (409 on create) as existing', async () => {
    const allButFirst = ours().slice(1);
    const scope = nock(API)
      .post('/crm/v3/properties/deals/groups')
      .reply(409, { status: 'error', message: 'exists', category: 'OBJECT_ALREADY_EXISTS' })
      .get('/crm/v3/properties/deals')
      .query({ archived: 'false' })
      .reply(200, { results: allButFirst })
      .post('/crm/v3/properties/deals', (b) => b.name === 'attain_estimated_commission')
      .reply(409, {
        status: 'error',
        message: "Property named 'attain_estimated_commission' already exists.",
        category: 'OBJECT_ALREADY_EXISTS',
      })
      .get('/crm/v3/properties/deals')
      .query({ archived: 'false' })
      .optionally()
      .reply(200, { results: ours() });
    const { connector } = testConnector();
    const report = await connector.ensureProperties();
    expect(report.created).toEqual([]);
    expect(report.existing).toContain('attain_estimated_commission');
    scope.done();
  });

  it('checks before write-back: missing, wrong type, read-only, calculated — as data', async () => {
    const results = ours()
      .filter((p) => p.name !== 'attain_tier_reached')
      .map((p) => {
        if (p.name === 'attain_earned_commission') return { ...p, type: 'string', fieldType: 'text' };
        if (p.name === 'attain_credited_amount')
          return { ...p, modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: true } };
        if (p.name === 'attain_owner_attainment') return { ...p, calculated: true };
        return p;
      });
    const scope = nock(API).get('/crm/v3/properties/deals').query({ archived: 'false' }).reply(200, { results });
    const { connector } = testConnector();
    const problems = await connector.checkProperties();
    expect(problems.map((p) => [p.property, p.problem])).toEqual([
      ['attain_earned_commission', 'wrong-type'],
      ['attain_credited_amount', 'read-only'],
      ['attain_tier_reached', 'missing'],
      ['attain_owner_attainment', 'calculated'],
    ]);
    expect(problems[0]!.message).toBe(
      'deal property attain_earned_commission is string/text but Attain writes number/number',
    );
    scope.done();
  });
});

describe('write-back', () => {
  it('writes decimal strings in batches of 100 and handles a 207 per record', async () => {
    const writes = Array.from({ length: 102 }, (_, i) => ({
      dealId: String(1 + i),
      values: {
        estimatedCommission: '1250.50',
        commissionPeriod: '2026-Q3',
        lastCalculatedAt: '2026-10-02T08:00:00.000Z',
        tierReached: null,
      },
    }));
    const modified = '2026-10-02T08:00:01.000Z';
    const ok = (id: string) => ({
      id,
      properties: { hs_lastmodifieddate: modified, attain_estimated_commission: '1250.50' },
      archived: false,
    });
    const scope = nock(API)
      .post(
        '/crm/v3/objects/deals/batch/update',
        (b) =>
          b.inputs.length === 100 &&
          JSON.stringify(b.inputs[0]) ===
            JSON.stringify({
              id: '1',
              properties: {
                attain_estimated_commission: '1250.50',
                attain_commission_period: '2026-Q3',
                attain_last_calculated_at: '2026-10-02T08:00:00.000Z',
                attain_tier_reached: '',
              },
            }),
      )
      .reply(207, {
        status: 'COMPLETE',
        results: writes.slice(0, 98).map((w) => ok(w.dealId)),
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not update some DEAL objects',
            context: { ids: ['99'] },
          },
        ],
      })
      .post('/crm/v3/objects/deals/batch/update', (b) => b.inputs.length === 2)
      .reply(200, { status: 'COMPLETE', results: [ok('101'), ok('102')] });
    const { connector } = testConnector();
    const results = await connector.writeDealProperties(writes);
    expect(results).toHaveLength(102);
    expect(results[0]).toEqual({ dealId: '1', ok: true, modifiedAt: modified });
    expect(results[98]).toEqual({
      dealId: '99',
      ok: false,
      retryable: false,
      category: 'OBJECT_NOT_FOUND',
      message: 'Could not update some DEAL objects',
    });
    // Neither confirmed nor rejected: the write-back must try it again.
    expect(results[99]).toMatchObject({ dealId: '100', ok: false, retryable: true, category: 'UNCONFIRMED' });
    expect(results.slice(100).every((r) => r.ok)).toBe(true);
    scope.done();
  });

  it('fails every record of a batch HubSpot refuses as a whole, without retrying a 400', async () => {
    const scope = nock(API)
      .post('/crm/v3/objects/deals/batch/update')
      .reply(400, { status: 'error', message: 'Property values were not valid', category: 'VALIDATION_ERROR' });
    const { connector, retries } = testConnector();
    const results = await connector.writeDealProperties([
      { dealId: '1', values: { earnedCommission: '10' } },
      { dealId: '2', values: { earnedCommission: '20' } },
    ]);
    expect(results).toEqual([
      {
        dealId: '1',
        ok: false,
        retryable: false,
        category: 'bad-request',
        message: 'writing deal results: Property values were not valid',
      },
      {
        dealId: '2',
        ok: false,
        retryable: false,
        category: 'bad-request',
        message: 'writing deal results: Property values were not valid',
      },
    ]);
    expect(retries).toEqual([]);
    scope.done();
  });

  it('refuses one deal twice in a write-back before sending anything', async () => {
    const { connector } = testConnector();
    await expect(
      connector.writeDealProperties([
        { dealId: '1', values: { earnedCommission: '10' } },
        { dealId: '1', values: { earnedCommission: '20' } },
      ]),
    ).rejects.toThrow('deal 1 appears twice');
  });
});
