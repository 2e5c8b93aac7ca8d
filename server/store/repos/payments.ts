import type { Payment } from '../../../src/data/index.js';
import type { FxRate } from '../../../src/money/index.js';
import { sha256Hex } from '../canonical-json.js';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

/** Payments keep their reference as id when they have one; otherwise the id is derived from the content, so re-imports are idempotent. */
function paymentId(p: Payment): string {
  return p.reference !== undefined
    ? `r:${p.payeeId}:${p.reference}`
    : `h:${sha256Hex([p.payeeId, p.periodId, p.amount, p.paidOn ?? ''].join('|')).slice(0, 32)}`;
}

export async function upsertPayments(db: Db, tenantId: string, payments: readonly Payment[]): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'payments',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'id', type: 'text' },
        { name: 'payee_id', type: 'text' },
        { name: 'period_id', type: 'text' },
        { name: 'amount', type: 'numeric' },
        { name: 'paid_on', type: 'date' },
        { name: 'reference', type: 'text' },
      ],
      conflict: ['tenant_id', 'id'],
    },
    payments.map((p) => ({
      tenant_id: tenantId,
      id: paymentId(p),
      payee_id: p.payeeId,
      period_id: p.periodId,
      amount: p.amount,
      paid_on: p.paidOn ?? null,
      reference: p.reference ?? null,
    })),
  );
}

export async function listPayments(
  db: Db,
  tenantId: string,
  filter: { payeeIds?: readonly string[]; year?: string } = {},
): Promise<Payment[]> {
  let q = db
    .selectFrom('payments')
    .select(['payee_id', 'period_id', 'amount', 'paid_on', 'reference'])
    .where('tenant_id', '=', tenantId);
  if (filter.payeeIds) {
    if (filter.payeeIds.length === 0) return [];
    q = q.where('payee_id', 'in', filter.payeeIds);
  }
  if (filter.year) q = q.where('period_id', 'like', `${filter.year}%`);
  const rows = await q.orderBy('payee_id').orderBy('period_id').orderBy('id').execute();
  return rows.map((r) => ({
    payeeId: r.payee_id,
    periodId: r.period_id,
    amount: r.amount,
    ...(r.paid_on ? { paidOn: r.paid_on } : {}),
    ...(r.reference ? { reference: r.reference } : {}),
  }));
}

export async function upsertFxRates(db: Db, tenantId: string, rates: readonly FxRate[]): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'fx_rates',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'from_currency', type: 'text' },
        { name: 'to_currency', type: 'text' },
        { name: 'date', type: 'date' },
        { name: 'rate', type: 'numeric' },
      ],
      conflict: ['tenant_id', 'from_currency', 'to_currency', 'date'],
    },
    rates.map((r) => ({ tenant_id: tenantId, from_currency: r.from, to_currency: r.to, date: r.date, rate: r.rate })),
  );
}

export async function listFxRates(db: Db, tenantId: string): Promise<FxRate[]> {
  const rows = await db
    .selectFrom('fx_rates')
    .select(['from_currency', 'to_currency', 'date', 'rate'])
    .where('tenant_id', '=', tenantId)
    .orderBy('from_currency')
    .orderBy('to_currency')
    .orderBy('date')
    .execute();
  return rows.map((r) => ({ from: r.from_currency, to: r.to_currency, date: r.date, rate: r.rate }));
}
