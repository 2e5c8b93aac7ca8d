import { describe, expect, it } from 'vitest';
import { ATTAINMENT_SCHEMA } from '../../server/crm/hubspot/attainment-object.js';
import { emptyScenario } from '../../server/sandbox/hubspot/index.js';
import { sandboxPerTest } from './setup.js';

const start = sandboxPerTest();

async function sandboxWith(customObjects: boolean) {
  const scenario = emptyScenario();
  scenario.portal.customObjects = customObjects;
  const sb = await start({ scenario });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sb.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${sb.accessToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { sb, call };
}

const record = (key: string, quota: string) => ({
  id: key,
  idProperty: 'attain_key',
  properties: { attain_quota: quota },
});

describe('sandbox custom objects', () => {
  it('refuses schemas and records without the Enterprise capability', async () => {
    const { call } = await sandboxWith(false);
    expect((await call('GET', '/crm/v3/schemas')).status).toBe(403);
    expect((await call('POST', '/crm/v3/schemas', ATTAINMENT_SCHEMA)).status).toBe(403);
    expect((await call('POST', '/crm/v3/objects/2-1001/batch/upsert', { inputs: [] })).status).toBe(403);
  });

  it('creates a schema once, upserts by the unique property, reads and searches the records', async () => {
    const { call } = await sandboxWith(true);
    const created = await call('POST', '/crm/v3/schemas', ATTAINMENT_SCHEMA);
    expect(created.status).toBe(201);
    const typeId = created.body['objectTypeId'] as string;
    expect((await call('POST', '/crm-object-schemas/v3/schemas', ATTAINMENT_SCHEMA)).status).toBe(409);
    expect(((await call('GET', '/crm-object-schemas/v3/schemas')).body['results'] as unknown[]).length).toBe(1);

    const first = await call('POST', `/crm/v3/objects/${typeId}/batch/upsert`, {
      inputs: [record('1:2026-Q3', '900000'), record('2:2026-Q3', '900000')],
    });
    expect(first.status).toBe(200);
    expect((first.body['results'] as Array<{ new: boolean }>).map((r) => r.new)).toEqual([true, true]);
    const second = await call('POST', `/crm/v3/objects/${typeId}/batch/upsert`, {
      inputs: [record('1:2026-Q3', '950000')],
    });
    expect((second.body['results'] as Array<{ new: boolean }>)[0]!.new).toBe(false);

    const read = await call('POST', `/crm/v3/objects/${typeId}/batch/read`, {
      idProperty: 'attain_key',
      properties: ['attain_quota'],
      inputs: [{ id: '1:2026-Q3' }, { id: '9:2026-Q3' }],
    });
    expect(read.status).toBe(207);
    expect((read.body['results'] as Array<{ properties: Record<string, string> }>)[0]!.properties['attain_quota']).toBe(
      '950000',
    );
    const found = await call('POST', `/crm/v3/objects/${typeId}/search`, {
      filterGroups: [{ filters: [{ propertyName: 'attain_key', operator: 'EQ', value: '2:2026-Q3' }] }],
      properties: ['attain_quota'],
    });
    expect(found.body['total']).toBe(1);
  });

  it('enforces HubSpot rules on upsert: 100 inputs, unique idProperty, known properties, numbers', async () => {
    const { call } = await sandboxWith(true);
    const typeId = (await call('POST', '/crm/v3/schemas', ATTAINMENT_SCHEMA)).body['objectTypeId'] as string;
    const path = `/crm/v3/objects/${typeId}/batch/upsert`;
    const many = Array.from({ length: 101 }, (_, i) => record(`${i}:2026`, '1'));
    expect((await call('POST', path, { inputs: many })).status).toBe(400);
    expect(
      (await call('POST', path, { inputs: [{ ...record('1:2026', '1'), idProperty: 'attain_period' }] })).status,
    ).toBe(400);
    expect((await call('POST', path, { inputs: [record('1:2026', '1'), record('1:2026', '2')] })).status).toBe(400);
    expect(
      (await call('POST', path, { inputs: [{ ...record('1:2026', '1'), properties: { nope: '1' } }] })).status,
    ).toBe(400);
    expect((await call('POST', path, { inputs: [record('1:2026', '1.2.3')] })).status).toBe(400);
  });
});
