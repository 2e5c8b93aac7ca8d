/**
 * Property: whatever arrives — random or malformed params, query strings, bodies and content types, with or
 * without a valid token — no endpoint answers 5xx. Endpoints are taken from the OpenAPI document, so a new
 * endpoint is fuzzed without touching this file.
 */
import fc from 'fast-check';
import request from 'supertest';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../helpers/stores.js';
import { bearer, buildHarness, referenceData, referencePlan } from './harness.js';

interface Operation {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
}

const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom(
    '',
    '%',
    '%E0%A4%A',
    '..',
    '../../etc/passwd',
    'anna',
    'nordic-sales',
    'nordic-sales-2026',
    '2026-Q3',
    '\u0000',
    "' OR 1=1 --",
    'a'.repeat(300),
    '-1',
    '1e309',
    'null',
    '[]',
    '{}',
  ),
);

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({
    quotas: fc.array(fc.record({ payeeId: nasty, periodId: nasty, amount: fc.oneof(nasty, fc.integer()) }), {
      maxLength: 3,
    }),
  }),
  fc.record({
    deals: fc.array(
      fc.dictionary(
        fc.constantFrom('id', 'ownerId', 'amount', 'currency', 'status', 'closeDate', 'splits'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      { maxLength: 3 },
    ),
  }),
  fc.constant(referencePlan).map((p) => ({ ...p, id: 'fuzz' })),
  fc.record({ id: nasty, effectiveFrom: nasty, components: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ name: nasty, role: nasty, payeeId: nasty }),
);

const body = fc.oneof(
  jsonValue.map((v) => ({ type: 'application/json', text: JSON.stringify(v) })),
  fc.string({ maxLength: 80 }).map((text) => ({ type: 'application/json', text })),
  fc.string({ maxLength: 80 }).map((text) => ({ type: 'text/csv', text: `id,ownerId,amount\n${text}` })),
  fc.string({ maxLength: 80 }).map((text) => ({ type: 'text/csv', text })),
  fc
    .constantFrom(
      'application/xml',
      'multipart/form-data; boundary=x',
      'text/plain; charset=klingon',
      'application/json; charset=utf-16',
    )
    .map((type) => ({ type, text: '<a/>' })),
  fc.constant(null),
);

const query = fc.dictionary(
  fc.constantFrom(
    'period',
    'payeeId',
    'teamId',
    'year',
    'limit',
    'offset',
    'kind',
    'planId',
    'from',
    'componentId',
    'x',
  ),
  fc.oneof(nasty, fc.array(nasty, { maxLength: 2 })),
  { maxKeys: 3 },
);

describeStores('every endpoint, random input: never a 5xx', (getStore) => {
  let h: Awaited<ReturnType<typeof buildHarness>>;
  let operations: Operation[] = [];

  beforeAll(async () => {
    h = await buildHarness(getStore());
    await request(h.app).post('/api/v1/plans').set(bearer(h.tokens.admin)).send(referencePlan).expect(201);
    await request(h.app).post('/api/v1/import').set(bearer(h.tokens.admin)).send(referenceData).expect(200);
    await h.issueRoleTokens();
    const doc = (await request(h.app).get('/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method as Operation['method'], path })),
    );
  });

  it('covers every documented endpoint', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  it('answers 2xx/4xx only', async () => {
    const tokenNames = ['admin', 'manager', 'anna', 'otherAdmin', 'none', 'garbage'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(nasty, { minLength: 2, maxLength: 2 }),
        query,
        body,
        fc.constantFrom(...tokenNames),
        async (pick, params, q, b, who) => {
          const op = operations[pick % operations.length]!;
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++ % params.length]!));
          const req = request(h.app)[op.method](path).query(q);
          if (who === 'garbage') req.set('Authorization', 'Bearer att_' + 'x'.repeat(43));
          else if (who !== 'none') req.set(bearer(h.tokens[who]));
          if (b) req.set('Content-Type', b.type).send(b.text);
          const res = await req;
          if (res.status >= 500)
            throw new Error(
              `${op.method.toUpperCase()} ${path} ${JSON.stringify(q)} ${JSON.stringify(b)} as ${who} → ${res.status} ${JSON.stringify(res.body)}`,
            );
        },
      ),
      { numRuns: 300 },
    );
  });
});
