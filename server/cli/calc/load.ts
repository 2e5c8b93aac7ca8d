/**
 * Reading and validating the files `attain calc` is given. Every problem is one line naming the file and
 * the path of the bad value (`data.json: deals[3].amount: must be a decimal string … (got 12.5)`), so an
 * operator can fix a file without reading our source.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { dataSetSchema, type DataSet } from '../../../src/data/index.js';
import { planSchema, checkDataSet, type Plan } from '../../../src/plan/index.js';
import type { DataWarning } from '../../../src/engine/types.js';

export type Loaded<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** `['deals', 3, 'amount']` → `deals[3].amount`; the engine's dotted paths (`deals.3.splits`) read the same way. */
export function formatPath(path: readonly PropertyKey[] | string): string {
  const parts = typeof path === 'string' ? (path === '' || path === '(root)' ? [] : path.split('.')) : path.map(String);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(root)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(String(key) in node)) return { found: false };
    node = (node as Record<string, unknown>)[String(key)];
  }
  return { found: true, value: node };
}

/** " (got 12.5)" so the message shows what was wrong; long values are shortened. */
function got(root: unknown, path: readonly PropertyKey[]): string {
  const at = valueAt(root, path);
  if (!at.found) return '';
  const text = JSON.stringify(at.value) ?? String(at.value);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}…` : text})`;
}

export function zodProblems(file: string, error: z.ZodError, input: unknown): string[] {
  return error.issues.map(
    (i) => `${file}: ${formatPath(i.path)}: ${i.message}${i.path.length > 0 ? got(input, i.path) : ''}`,
  );
}

/** Line and column of a JSON.parse error position, because editors navigate by lines. */
function jsonErrorText(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(message);
  if (!pos || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  return `${message} (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

export async function readJsonFile(file: string): Promise<Loaded<unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(err);
    return { ok: false, problems: [`${file}: cannot read: ${reason}`] };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, problems: [`${file}: not valid JSON: ${jsonErrorText(text, err)}`] };
  }
}

export async function loadPlan(file: string): Promise<Loaded<Plan>> {
  const raw = await readJsonFile(file);
  if (!raw.ok) return raw;
  const parsed = planSchema.safeParse(raw.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: zodProblems(file, parsed.error, raw.value) };
}

/**
 * The data file, checked on its own (schema) and against the plan (splits that do not total 100 %, unknown
 * payees). Without a valid plan only the schema is checked, so one run still lists the problems of both files.
 */
export async function loadData(
  file: string,
  plan: Plan | undefined,
): Promise<Loaded<{ data: DataSet; warnings: DataWarning[] }>> {
  const raw = await readJsonFile(file);
  if (!raw.ok) return raw;
  const parsed = dataSetSchema.safeParse(raw.value);
  if (!parsed.success) return { ok: false, problems: zodProblems(file, parsed.error, raw.value) };
  if (plan === undefined) return { ok: true, value: { data: parsed.data, warnings: [] } };
  const check = checkDataSet(parsed.data, [plan]);
  if (check.errors.length > 0) {
    return {
      ok: false,
      problems: check.errors.map(
        (e) => `${file}: ${formatPath(e.path)}: ${e.message}${got(raw.value, e.path.split('.'))}`,
      ),
    };
  }
  return { ok: true, value: { data: parsed.data, warnings: check.warnings } };
}
