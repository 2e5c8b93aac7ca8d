/**
 * Stores a parsed import batch in ONE transaction: references are checked first (a quota for an unknown payee,
 * an assignment to an unknown plan), and any problem rejects the whole batch — nothing is stored. The HTTP
 * import, `attain import` and the demo loader all come through here.
 */
import type { Db } from '../store/repos/db.js';
import { upsertPayees, upsertTeams } from '../store/repos/payees.js';
import { upsertQuotas } from '../store/repos/quotas.js';
import { upsertDeals } from '../store/repos/deals.js';
import { upsertFxRates, upsertPayments } from '../store/repos/payments.js';
import { upsertAssignments } from '../store/repos/assignments.js';
import type { FieldError } from '../http/errors.js';
import type { ImportBatch, Locate } from './parse.js';

export interface ImportCounts {
  payees: number;
  teams: number;
  quotas: number;
  deals: number;
  /** Deals whose engine inputs changed (new or different); unchanged re-imports write nothing. */
  dealsChanged: number;
  payments: number;
  assignments: number;
  fxRates: number;
}

export type ApplyResult =
  { ok: true; counts: ImportCounts; changedPayeeIds: string[] } | { ok: false; errors: FieldError[] };

async function existingIds(
  db: Db,
  table: 'payees' | 'teams' | 'plans',
  tenantId: string,
  ids: Set<string>,
): Promise<Set<string>> {
  if (ids.size === 0) return new Set();
  const found = new Set<string>();
  const list = [...ids];
  for (let i = 0; i < list.length; i += 5000) {
    const rows = await db
      .selectFrom(table)
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', list.slice(i, i + 5000))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Every id the batch refers to must exist in the batch itself or already in the tenant. */
async function checkReferences(db: Db, tenantId: string, batch: ImportBatch, locate: Locate): Promise<FieldError[]> {
  const payeesInBatch = new Set((batch.payees ?? []).map((p) => p.id));
  const teamsInBatch = new Set((batch.teams ?? []).map((t) => t.id));
  const refs: {
    kind: 'payees' | 'quotas' | 'payments' | 'assignments' | 'teams';
    index: number;
    field: string;
    table: 'payees' | 'teams' | 'plans';
    id: string;
  }[] = [];
  (batch.payees ?? []).forEach((p, i) => {
    if (p.teamId) refs.push({ kind: 'payees', index: i, field: 'teamId', table: 'teams', id: p.teamId });
    if (p.managerId) refs.push({ kind: 'payees', index: i, field: 'managerId', table: 'payees', id: p.managerId });
  });
  (batch.teams ?? []).forEach((t, i) => {
    if (t.managerId) refs.push({ kind: 'teams', index: i, field: 'managerId', table: 'payees', id: t.managerId });
    if (t.parentTeamId)
      refs.push({ kind: 'teams', index: i, field: 'parentTeamId', table: 'teams', id: t.parentTeamId });
  });
  (batch.quotas ?? []).forEach((q, i) =>
    refs.push({ kind: 'quotas', index: i, field: 'payeeId', table: 'payees', id: q.payeeId }),
  );
  (batch.payments ?? []).forEach((p, i) =>
    refs.push({ kind: 'payments', index: i, field: 'payeeId', table: 'payees', id: p.payeeId }),
  );
  (batch.assignments ?? []).forEach((a, i) => {
    refs.push({ kind: 'assignments', index: i, field: 'payeeId', table: 'payees', id: a.payeeId });
    refs.push({ kind: 'assignments', index: i, field: 'planId', table: 'plans', id: a.planId });
  });
  const inBatch = { payees: payeesInBatch, teams: teamsInBatch, plans: new Set<string>() };
  const wanted = { payees: new Set<string>(), teams: new Set<string>(), plans: new Set<string>() };
  for (const r of refs) if (!inBatch[r.table].has(r.id)) wanted[r.table].add(r.id);
  const stored = {
    payees: await existingIds(db, 'payees', tenantId, wanted.payees),
    teams: await existingIds(db, 'teams', tenantId, wanted.teams),
    plans: await existingIds(db, 'plans', tenantId, wanted.plans),
  };
  const noun = { payees: 'payee', teams: 'team', plans: 'plan' } as const;
  const errors: FieldError[] = [];
  for (const r of refs) {
    if (inBatch[r.table].has(r.id) || stored[r.table].has(r.id)) continue;
    errors.push({
      path: locate(r.kind, r.index, r.field),
      message: `${noun[r.table]} "${r.id}" does not exist (import it first or in the same request)`,
    });
    if (errors.length >= 100) break;
  }
  return errors;
}

/** Call inside a transaction (`db.transaction().execute(trx => applyImport(trx, …))`) so a failure stores nothing. */
export async function applyImport(trx: Db, tenantId: string, batch: ImportBatch, locate: Locate): Promise<ApplyResult> {
  const errors = await checkReferences(trx, tenantId, batch, locate);
  if (errors.length > 0) return { ok: false, errors };

  const changed = new Set<string>();
  if (batch.teams?.length) await upsertTeams(trx, tenantId, batch.teams);
  if (batch.payees?.length) {
    await upsertPayees(trx, tenantId, batch.payees);
    for (const p of batch.payees) changed.add(p.id);
  }
  if (batch.assignments?.length) {
    await upsertAssignments(trx, tenantId, batch.assignments);
    for (const a of batch.assignments) changed.add(a.payeeId);
  }
  if (batch.quotas?.length) {
    await upsertQuotas(trx, tenantId, batch.quotas);
    for (const q of batch.quotas) changed.add(q.payeeId);
  }
  let dealsChanged = 0;
  if (batch.deals?.length) {
    const changes = await upsertDeals(trx, tenantId, batch.deals);
    dealsChanged = changes.length;
    for (const c of changes) {
      for (const d of [c.before, c.after]) {
        if (!d) continue;
        if (d.ownerId) changed.add(d.ownerId);
        for (const s of d.splits ?? []) changed.add(s.payeeId);
      }
    }
  }
  if (batch.payments?.length) {
    await upsertPayments(trx, tenantId, batch.payments);
    for (const p of batch.payments) changed.add(p.payeeId);
  }
  if (batch.fxRates?.length) await upsertFxRates(trx, tenantId, batch.fxRates);
  return {
    ok: true,
    counts: {
      payees: batch.payees?.length ?? 0,
      teams: batch.teams?.length ?? 0,
      quotas: batch.quotas?.length ?? 0,
      deals: batch.deals?.length ?? 0,
      dealsChanged,
      payments: batch.payments?.length ?? 0,
      assignments: batch.assignments?.length ?? 0,
      fxRates: batch.fxRates?.length ?? 0,
    },
    changedPayeeIds: [...changed],
  };
}
