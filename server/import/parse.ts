/**
 * Turns an import request (JSON or CSV) into validated records. Validation uses the shared `src/data` schemas,
 * so an imported deal is exactly what the engine, the CLI and the CRM adapters accept. Every problem is reported
 * with where it is (`row 3, column amount` / `deals.2.amount`) and nothing is partially accepted: either the whole
 * batch parses or the caller gets the full list of errors.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import {
  assignmentSchema,
  dealSchema,
  fxRateSchema,
  payeeSchema,
  paymentSchema,
  quotaSchema,
  teamSchema,
} from '../../src/data/index.js';
import type { FieldError } from '../http/errors.js';

export const IMPORT_KINDS = ['payees', 'teams', 'quotas', 'deals', 'payments', 'assignments', 'fxRates'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const importBatchSchema = z.strictObject({
  payees: z.array(payeeSchema).optional(),
  teams: z.array(teamSchema).optional(),
  quotas: z.array(quotaSchema).optional(),
  deals: z.array(dealSchema).optional(),
  payments: z.array(paymentSchema).optional(),
  assignments: z.array(assignmentSchema).optional(),
  fxRates: z.array(fxRateSchema).optional(),
});
export type ImportBatch = z.output<typeof importBatchSchema>;

/** Names where record `index` of `kind` came from, for errors found after parsing (e.g. an unknown payee). */
export type Locate = (kind: ImportKind, index: number, field: string) => string;

export type ParseResult = { ok: true; batch: ImportBatch; locate: Locate } | { ok: false; errors: FieldError[] };

/** Caps the error list: a file with a wrong delimiter should not produce a million-entry response. */
const MAX_ERRORS = 100;

function issuesToErrors(error: z.ZodError, path: (issue: z.core.$ZodIssue) => string): FieldError[] {
  return error.issues.slice(0, MAX_ERRORS).map((issue) => ({ path: path(issue), message: issue.message }));
}

export function parseJsonImport(body: unknown): ParseResult {
  const r = importBatchSchema.safeParse(body);
  if (r.success) return { ok: true, batch: r.data, locate: (kind, index, field) => `body.${kind}.${index}.${field}` };
  return { ok: false, errors: issuesToErrors(r.error, (i) => ['body', ...i.path.map(String)].join('.')) };
}

/** CSV columns per kind. Cells that are empty mean "not given" (null for the nullable fields). */
interface CsvLayout {
  required: string[];
  optional: string[];
  /** Columns whose empty cell means null rather than absent. */
  nullable?: string[];
  /** Builds the record from the row's cells (already stripped of empty optional cells). */
  build?: (cells: Record<string, string | null>) => Record<string, unknown>;
  /** Maps a zod issue path back to the CSV column it came from. */
  column?: (path: PropertyKey[]) => string;
}

const crmColumns = ['hubspotOwnerId', 'hubspotUserId', 'salesforceUserId'];

/** `anna:0.6;bo:0.4` or `anna:0.6:revenue;sofie:0.1:overlay` */
function parseSplits(text: string): unknown[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((part) => {
      const [payeeId, share, type] = part.split(':').map((s) => s.trim());
      return { payeeId, share, ...(type ? { type } : {}) };
    });
}

const LAYOUTS: Record<ImportKind, CsvLayout> = {
  payees: {
    required: ['id', 'name'],
    optional: ['email', 'managerId', 'teamId', 'startDate', 'endDate', ...crmColumns],
    nullable: ['managerId', 'teamId'],
    build: (cells) => {
      const record: Record<string, unknown> = {};
      const crm: Record<string, string> = {};
      for (const [k, v] of Object.entries(cells)) {
        if (crmColumns.includes(k)) {
          if (v !== null) crm[k] = v;
        } else record[k] = v;
      }
      if (Object.keys(crm).length > 0) record.crm = crm;
      return record;
    },
    column: (path) => (path[0] === 'crm' ? String(path[1]) : String(path[0])),
  },
  teams: { required: ['id', 'name'], optional: ['managerId', 'parentTeamId'], nullable: ['managerId', 'parentTeamId'] },
  quotas: { required: ['payeeId', 'periodId', 'amount'], optional: ['componentId'] },
  deals: {
    required: ['id', 'ownerId', 'amount', 'currency', 'status', 'closeDate'],
    optional: [
      'name',
      'createdDate',
      'probability',
      'pipeline',
      'stage',
      'dealType',
      'customerId',
      'units',
      'cancelledDate',
      'splits',
    ],
    nullable: ['ownerId', 'closeDate', 'cancelledDate'],
    build: (cells) => {
      const record: Record<string, unknown> = {};
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(cells)) {
        if (k.startsWith('attributes.')) {
          if (v !== null) attributes[k.slice('attributes.'.length)] = v;
        } else if (k === 'splits') {
          if (v !== null) record.splits = parseSplits(v);
        } else record[k] = v;
      }
      if (Object.keys(attributes).length > 0) record.attributes = attributes;
      return record;
    },
    column: (path) => (path[0] === 'attributes' ? `attributes.${String(path[1])}` : String(path[0])),
  },
  payments: { required: ['payeeId', 'periodId', 'amount'], optional: ['paidOn', 'reference'] },
  assignments: { required: ['payeeId', 'planId', 'from'], optional: ['to'], nullable: ['to'] },
  fxRates: { required: ['from', 'to', 'date', 'rate'], optional: [] },
};

const ROW_SCHEMAS: Record<ImportKind, z.ZodType> = {
  payees: payeeSchema,
  teams: teamSchema,
  quotas: quotaSchema,
  deals: dealSchema,
  payments: paymentSchema,
  assignments: assignmentSchema,
  fxRates: fxRateSchema,
};

export function csvColumns(kind: ImportKind): { required: string[]; optional: string[] } {
  return { required: LAYOUTS[kind].required, optional: LAYOUTS[kind].optional };
}

/**
 * Parses one CSV file of one kind. The first line is the header; rows are numbered as a spreadsheet shows them
 * (the header is row 1, the first record row 2).
 */
export function parseCsvImport(kind: ImportKind, text: string): ParseResult {
  const layout = LAYOUTS[kind];
  let rows: { info: { lines: number }; record: string[] }[];
  try {
    rows = parseCsv(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_quotes: false,
    }) as unknown as typeof rows;
  } catch (err) {
    const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : undefined;
    return {
      ok: false,
      errors: [{ path: line ? `row ${line}` : 'body', message: `is not valid CSV: ${(err as Error).message}` }],
    };
  }
  const [header, ...records] = rows;
  if (!header)
    return {
      ok: false,
      errors: [{ path: 'body', message: `is empty; expected a header row with ${layout.required.join(', ')}` }],
    };

  const columns = header.record;
  const errors: FieldError[] = [];
  const known = new Set([...layout.required, ...layout.optional]);
  const allowsAttributes = kind === 'deals';
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) errors.push({ path: `row 1, column ${c}`, message: 'appears twice in the header' });
    seen.add(c);
    if (!known.has(c) && !(allowsAttributes && c.startsWith('attributes.') && c.length > 'attributes.'.length)) {
      errors.push({
        path: `row 1, column ${c}`,
        message: `is not a ${kind} column; expected ${[...known].join(', ')}`,
      });
    }
  }
  for (const c of layout.required)
    if (!seen.has(c)) errors.push({ path: `row 1, column ${c}`, message: 'is missing from the header' });
  if (errors.length > 0) return { ok: false, errors };

  const nullable = new Set(layout.nullable ?? []);
  const schema = ROW_SCHEMAS[kind];
  const parsed: unknown[] = [];
  const rowNumbers: number[] = [];
  for (const { info, record } of records) {
    const rowNo = info.lines;
    const cells: Record<string, string | null> = {};
    columns.forEach((c, i) => {
      const v = record[i] ?? '';
      if (v !== '') cells[c] = v;
      else if (nullable.has(c)) cells[c] = null;
    });
    const shaped = layout.build ? layout.build(cells) : cells;
    const r = schema.safeParse(shaped);
    if (r.success) {
      parsed.push(r.data);
      rowNumbers.push(rowNo);
    } else {
      for (const issue of r.error.issues) {
        const column = issue.path.length > 0 ? (layout.column ?? ((p) => String(p[0])))(issue.path) : undefined;
        errors.push({ path: column ? `row ${rowNo}, column ${column}` : `row ${rowNo}`, message: issue.message });
      }
    }
    if (errors.length >= MAX_ERRORS) break;
  }
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
  return {
    ok: true,
    batch: { [kind]: parsed } as ImportBatch,
    locate: (_kind, index, field) => `row ${rowNumbers[index] ?? '?'}, column ${field}`,
  };
}
