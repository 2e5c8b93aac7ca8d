/**
 * Data import: payees, teams, quotas, deals, payments, assignments and FX rates as one JSON document, or one kind
 * at a time as CSV (`Content-Type: text/csv`, `?kind=deals`). All-or-nothing: any bad row or unknown reference
 * → 400 naming row and column, nothing stored. A successful import queues a recalculation.
 */
import { z } from 'zod';
import type { Feature } from '../app.js';
import { applyImport } from '../import/apply.js';
import { IMPORT_KINDS, importBatchSchema, parseCsvImport, parseJsonImport, type ImportBatch } from '../import/parse.js';
import { invalid } from './errors.js';
import { recordChange } from './audit-trail.js';
import { requestRecalc } from './recalc.js';

const importQuery = z.strictObject({
  kind: z.enum(IMPORT_KINDS).optional().meta({ description: 'Required for CSV: which records the file holds' }),
});

const importResult = z
  .object({
    counts: z.object({
      payees: z.number().int(),
      teams: z.number().int(),
      quotas: z.number().int(),
      deals: z.number().int(),
      dealsChanged: z.number().int(),
      payments: z.number().int(),
      assignments: z.number().int(),
      fxRates: z.number().int(),
    }),
    recalculationRequested: z
      .boolean()
      .meta({
        description: 'true: a recalculation was requested (follow it with GET /recalculations or re-read results)',
      }),
  })
  .meta({ id: 'ImportResult' });

/** Audit entries keep ids, not whole records, past this many (a million-deal import is one entry, not a 100 MB one). */
const AUDIT_DETAIL_LIMIT = 1000;

function auditDetail(batch: ImportBatch) {
  const ids = (xs: { id: string }[] | undefined) =>
    xs && xs.length <= AUDIT_DETAIL_LIMIT ? xs.map((x) => x.id) : undefined;
  const small = <T>(xs: T[] | undefined) => (xs && xs.length <= AUDIT_DETAIL_LIMIT ? xs : undefined);
  return {
    payees: ids(batch.payees),
    teams: ids(batch.teams),
    deals: ids(batch.deals),
    quotas: small(batch.quotas),
    assignments: small(batch.assignments),
    payments: small(batch.payments),
  };
}

export const importFeature: Feature = ({ api, deps }) => {
  api.endpoint({
    method: 'post',
    path: '/import',
    tag: 'Import',
    summary:
      'Import data as JSON ({ payees, teams, quotas, deals, payments, assignments, fxRates }) or CSV (?kind=…); all or nothing',
    description:
      'CSV: one kind per request, a header row, one record per row. Columns — payees: id,name,email,managerId,teamId,startDate,endDate,hubspotOwnerId,hubspotUserId,salesforceUserId; ' +
      'teams: id,name,managerId,parentTeamId; quotas: payeeId,periodId,amount,componentId; deals: id,ownerId,amount,currency,status,closeDate,name,createdDate,probability,pipeline,stage,dealType,customerId,units,cancelledDate,splits ("anna:0.6;bo:0.4"),attributes.<name>; ' +
      'payments: payeeId,periodId,amount,paidOn,reference; assignments: payeeId,planId,from,to; fxRates: from,to,date,rate. Errors name the row (the header is row 1) and column.',
    roles: ['admin'],
    query: importQuery,
    body: z.unknown(),
    bodyDoc: importBatchSchema,
    bodyTypes: ['application/json', 'text/csv'],
    response: importResult,
    handle: async ({ query, body, bodyType, principal, req }) => {
      let parsed;
      if (bodyType === 'text/csv') {
        if (!query.kind)
          throw invalid([{ path: 'query.kind', message: `is required for CSV: one of ${IMPORT_KINDS.join(', ')}` }]);
        parsed = parseCsvImport(query.kind, String(body));
      } else {
        parsed = parseJsonImport(query.kind && Array.isArray(body) ? { [query.kind]: body } : body);
      }
      if (!parsed.ok) throw invalid(parsed.errors, 'The import was rejected; nothing was stored.');
      const { batch, locate } = parsed;

      const applied = await deps.store.db.transaction().execute(async (trx) => {
        const result = await applyImport(trx, principal.tenantId, batch, locate);
        if (!result.ok) throw invalid(result.errors, 'The import was rejected; nothing was stored.');
        await recordChange(trx, principal, deps.now(), {
          action: 'import.applied',
          entityType: 'import',
          entityId: Object.keys(batch).join(','),
          before: null,
          after: { counts: result.counts, ...auditDetail(batch) },
        });
        return result;
      });
      const recalculationRequested = applied.changedPayeeIds.length > 0;
      if (recalculationRequested) requestRecalc(deps, req, principal);
      return { counts: applied.counts, recalculationRequested };
    },
  });
};
