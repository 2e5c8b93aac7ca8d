import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ATTAINMENT_SCHEMA } from '../../server/crm/hubspot/attainment-object.js';
import { API, testConnector } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const schemaJson = (objectTypeId = '2-1001') => ({
  id: '101',
  objectTypeId,
  fullyQualifiedName: `p4711_${ATTAINMENT_SCHEMA.name}`,
  name: ATTAINMENT_SCHEMA.name,
  labels: ATTAINMENT_SCHEMA.labels,
  requiredProperties: ATTAINMENT_SCHEMA.requiredProperties,
  properties: ATTAINMENT_SCHEMA.properties.map((p) => ({ ...p, hasUniqueValue: p.name === 'attain_key' })),
  associations: [],
  createdAt: '2026-10-01T08:00:00.000Z',
  updatedAt: '2026-10-01T08:00:00.000Z',
});

const anna = {
  payeeId: '501',
  periodId: '2026-Q3',
  payeeName: 'Anna',
  currency: 'DKK',
  quota: '900000',
  credited: '1080000',
  attainment: '120.00',
  earnings: '108000.00',
};

describe('the attainment custom object', () => {
  it('creates the schema once when it is missing and reuses it afterwards', async () => {
    const scope = nock(API)
      .get('/crm-object-schemas/v3/schemas')
      .query({ archived: 'false' })
      .reply(200, { results: [] })
      .post('/crm-object-schemas/v3/schemas', (b) => {
        const key = b.properties.find((p: { name: string }) => p.name === 'attain_key');
        return b.name === 'attain_attainment' && key?.hasUniqueValue === true && b.associatedObjects.length === 0;
      })
      .reply(201, schemaJson());
    const { connector } = testConnector();
    expect(await connector.ensureAttainmentObject()).toEqual({ objectTypeId: '2-1001', created: true });
    expect(await connector.ensureAttainmentObject()).toEqual({ objectTypeId: '2-1001', created: true });
    scope.done();
  });

  it('finds an existing schema (another instance created it meanwhile: 409, then read again)', async () => {
    const scope = nock(API)
      .get('/crm-object-schemas/v3/schemas')
      .query({ archived: 'false' })
      .reply(200, { results: [] })
      .post('/crm-object-schemas/v3/schemas')
      .reply(409, { status: 'error', message: 'Object schema already exists', category: 'OBJECT_ALREADY_EXISTS' })
      .get('/crm-object-schemas/v3/schemas')
      .query({ archived: 'false' })
      .reply(200, { results: [schemaJson('2-2002')] });
    const { connector } = testConnector();
    expect(await connector.ensureAttainmentObject()).toEqual({ objectTypeId: '2-2002', created: false });
    scope.done();
  });

  it('upserts records by attain_key with decimal strings and answers per record (207 partial failure)', async () => {
    const bo = { payeeId: '502', periodId: '2026-Q3', credited: '810000' };
    const sent: unknown[] = [];
    const scope = nock(API)
      .get('/crm-object-schemas/v3/schemas')
      .query({ archived: 'false' })
      .reply(200, { results: [schemaJson()] })
      .post('/crm/v3/objects/2-1001/batch/upsert', (b) => {
        sent.push(...b.inputs);
        return true;
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          {
            id: '900000001',
            properties: { attain_key: '501:2026-Q3', attain_quota: '900000' },
            new: true,
            createdAt: '2026-10-01T08:00:00.000Z',
            updatedAt: '2026-10-01T08:00:00.000Z',
            archived: false,
          },
        ],
        numErrors: 1,
        errors: [
          { status: 'error', category: 'VALIDATION_ERROR', message: 'bad value', context: { ids: ['502:2026-Q3'] } },
        ],
        startedAt: '2026-10-01T08:00:00.000Z',
        completedAt: '2026-10-01T08:00:00.000Z',
      });
    const { connector } = testConnector();
    const results = await connector.writeAttainmentRecords([anna, bo]);
    expect(sent).toEqual([
      {
        id: '501:2026-Q3',
        idProperty: 'attain_key',
        properties: {
          attain_owner_id: '501',
          attain_period: '2026-Q3',
          attain_payee_name: 'Anna',
          attain_currency: 'DKK',
          attain_quota: '900000',
          attain_credited: '1080000',
          attain_attainment_percent: '120.00',
          attain_earnings: '108000.00',
        },
      },
      {
        id: '502:2026-Q3',
        idProperty: 'attain_key',
        properties: { attain_owner_id: '502', attain_period: '2026-Q3', attain_credited: '810000' },
      },
    ]);
    expect(results).toEqual([
      { key: '501:2026-Q3', ok: true, recordId: '900000001' },
      { key: '502:2026-Q3', ok: false, retryable: false, category: 'VALIDATION_ERROR', message: 'bad value' },
    ]);
    scope.done();
  });

  it('retries a 429 on the upsert under the portal limiter, then confirms', async () => {
    const scope = nock(API)
      .get('/crm-object-schemas/v3/schemas')
      .query({ archived: 'false' })
      .reply(200, { results: [schemaJson()] })
      .post('/crm/v3/objects/2-1001/batch/upsert')
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'Retry-After': '1' },
      )
      .post('/crm/v3/objects/2-1001/batch/upsert')
      .reply(200, {
        status: 'COMPLETE',
        results: [{ id: '900000001', properties: { attain_key: '501:2026-Q3' }, archived: false }],
        startedAt: '2026-10-01T08:00:00.000Z',
        completedAt: '2026-10-01T08:00:00.000Z',
      });
    const { connector, retries } = testConnector();
    expect(await connector.writeAttainmentRecords([anna])).toEqual([
      { key: '501:2026-Q3', ok: true, recordId: '900000001' },
    ]);
    expect(retries.length).toBe(1);
    scope.done();
  });
});
