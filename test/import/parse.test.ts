import { describe, expect, it } from 'vitest';
import { csvColumns, parseCsvImport, parseJsonImport } from '../../server/import/parse.js';

describe('CSV import parsing', () => {
  it('reads deals with splits and attributes; empty nullable cells are null', () => {
    const csv =
      '\uFEFFid,ownerId,amount,currency,status,closeDate,splits,attributes.region\nD1,anna,1000.50,DKK,won,2026-08-01,anna:0.6;bo:0.4,north\nD2,,20,EUR,open,,,\n';
    const r = parseCsvImport('deals', csv);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.batch.deals).toEqual([
      expect.objectContaining({
        id: 'D1',
        ownerId: 'anna',
        amount: '1000.50',
        splits: [
          { payeeId: 'anna', share: '0.6', type: 'revenue' },
          { payeeId: 'bo', share: '0.4', type: 'revenue' },
        ],
        attributes: { region: 'north' },
      }),
      expect.objectContaining({ id: 'D2', ownerId: null, closeDate: null, status: 'open' }),
    ]);
    expect(r.locate('deals', 1, 'ownerId')).toBe('row 3, column ownerId');
  });

  it('names header problems: missing, unknown and duplicate columns', () => {
    const r = parseCsvImport('quotas', 'payeeId,period,amount,amount\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: 'row 1, column period', message: expect.stringContaining('not a quotas column') },
        { path: 'row 1, column amount', message: 'appears twice in the header' },
        { path: 'row 1, column periodId', message: 'is missing from the header' },
      ]),
    );
  });

  it('counts rows as a spreadsheet does, also around quoted line breaks', () => {
    const r = parseCsvImport('payees', 'id,name,startDate\nanna,"Anna\nJensen",2019-03-01\nbo,Bo,2019-02-30\n');
    expect(r).toEqual({
      ok: false,
      errors: [{ path: 'row 4, column startDate', message: expect.stringContaining('calendar date') }],
    });
  });

  it('reports broken CSV (unbalanced quotes, ragged rows) as a 400-able error, not an exception', () => {
    for (const text of ['id,name\n"anna,Anna\n', 'id,name\nanna,Anna,extra\n', '']) {
      const r = parseCsvImport('payees', text);
      expect(r.ok).toBe(false);
    }
  });

  it('lists its columns', () => {
    expect(csvColumns('quotas')).toEqual({ required: ['payeeId', 'periodId', 'amount'], optional: ['componentId'] });
  });
});

describe('JSON import parsing', () => {
  it('rejects unknown top-level keys (a typo must not import nothing silently)', () => {
    const r = parseJsonImport({ deal: [] });
    expect(r).toEqual({ ok: false, errors: [{ path: 'body', message: expect.stringContaining('deal') }] });
  });

  it('names the record and field', () => {
    const r = parseJsonImport({
      quotas: [
        { payeeId: 'anna', periodId: '2026-Q3', amount: '900000' },
        { payeeId: 'bo', periodId: 'Q3', amount: 900000 },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['body.quotas.1.periodId', 'body.quotas.1.amount']);
  });
});
