import { dec, toDecimalString, ZERO } from '../money/decimal.js';
import { isKnownCurrency } from '../money/currency.js';
import { FxTable } from '../money/fx.js';
import type { DataSet } from '../data/schema.js';
import type { DataWarning } from '../engine/types.js';
import type { Plan } from './schema.js';
import type { FieldError } from './validate.js';

export interface DataCheck {
  /** Invalid: the data set must not be calculated until these are fixed. */
  errors: FieldError[];
  /** Suspicious: calculated anyway, reported with the result. */
  warnings: DataWarning[];
}

/**
 * Cross-record checks of a data set against the plans it is calculated with. Revenue splits that do not
 * total 100 % and references to unknown payees or plans are errors (there is no right answer to compute);
 * a deal without owner, an owner who is not a payee, a missing FX rate are warnings (the rest still pays).
 */
export function checkDataSet(data: DataSet, plans: readonly Plan[]): DataCheck {
  const errors: FieldError[] = [];
  const warnings: DataWarning[] = [];
  const allIds = new Set(data.payees.map((p) => p.id));
  const payeeIds = new Set<string>();
  data.payees.forEach((p, i) => {
    if (payeeIds.has(p.id)) errors.push({ path: `payees.${i}.id`, message: `duplicate payee id "${p.id}"` });
    payeeIds.add(p.id);
    if (p.managerId && !allIds.has(p.managerId)) {
      errors.push({ path: `payees.${i}.managerId`, message: `unknown payee id "${p.managerId}"` });
    }
  });
  const planIds = new Set(plans.map((p) => p.id));
  const componentIds = new Set(plans.flatMap((p) => p.versions.flatMap((v) => v.components.map((c) => c.id))));
  const fx = new FxTable(data.fxRates);
  const currencies = new Set(plans.map((p) => p.currency));

  const dealIds = new Set<string>();
  data.deals.forEach((d, i) => {
    if (dealIds.has(d.id))
      warnings.push({
        code: 'duplicate-id',
        message: `deal id "${d.id}" appears more than once; the later record is used`,
        dealId: d.id,
      });
    dealIds.add(d.id);
    if (d.ownerId === null)
      warnings.push({
        code: 'deal-without-owner',
        message: `deal "${d.id}" has no owner and credits no one`,
        dealId: d.id,
      });
    else if (!payeeIds.has(d.ownerId)) {
      warnings.push({
        code: 'owner-not-a-payee',
        message: `deal "${d.id}" is owned by "${d.ownerId}", who is not a payee`,
        dealId: d.id,
      });
    }
    if (d.status === 'won' && d.closeDate === null) {
      warnings.push({
        code: 'won-deal-without-close-date',
        message: `won deal "${d.id}" has no close date and is not credited`,
        dealId: d.id,
      });
    }
    if (!isKnownCurrency(d.currency))
      warnings.push({
        code: 'unknown-currency',
        message: `deal "${d.id}" is in unknown currency ${d.currency}`,
        dealId: d.id,
      });
    if (d.status === 'won' && d.closeDate) {
      for (const c of currencies) {
        if (fx.rateOn(d.currency, c, d.closeDate) === undefined) {
          warnings.push({
            code: 'missing-fx-rate',
            message: `no ${d.currency}→${c} rate on or before ${d.closeDate} for deal "${d.id}"`,
            dealId: d.id,
          });
        }
      }
    }
    const splits = d.splits ?? [];
    let revenueTotal = ZERO;
    let revenueCount = 0;
    splits.forEach((s, j) => {
      if (!payeeIds.has(s.payeeId))
        errors.push({ path: `deals.${i}.splits.${j}.payeeId`, message: `unknown payee id "${s.payeeId}"` });
      if (s.type === 'revenue') {
        revenueTotal = revenueTotal.plus(dec(s.share));
        revenueCount++;
      }
    });
    if (revenueCount > 0 && !revenueTotal.equals(1)) {
      errors.push({
        path: `deals.${i}.splits`,
        message: `revenue split shares must total 1 (100 %), they total ${toDecimalString(revenueTotal)}`,
      });
    }
  });

  data.quotas.forEach((q, i) => {
    if (!payeeIds.has(q.payeeId))
      errors.push({ path: `quotas.${i}.payeeId`, message: `unknown payee id "${q.payeeId}"` });
    if (q.componentId !== undefined && plans.length > 0 && !componentIds.has(q.componentId)) {
      errors.push({ path: `quotas.${i}.componentId`, message: `no plan has a component "${q.componentId}"` });
    }
  });
  data.payments.forEach((p, i) => {
    if (!payeeIds.has(p.payeeId))
      errors.push({ path: `payments.${i}.payeeId`, message: `unknown payee id "${p.payeeId}"` });
  });
  data.assignments.forEach((a, i) => {
    if (!payeeIds.has(a.payeeId))
      errors.push({ path: `assignments.${i}.payeeId`, message: `unknown payee id "${a.payeeId}"` });
    if (!planIds.has(a.planId))
      errors.push({ path: `assignments.${i}.planId`, message: `unknown plan id "${a.planId}"` });
    if (a.to && a.to < a.from)
      errors.push({ path: `assignments.${i}.to`, message: `ends (${a.to}) before it starts (${a.from})` });
  });
  if (data.assignments.length > 0) {
    const assigned = new Set(data.assignments.map((a) => a.payeeId));
    for (const p of data.payees) {
      if (!assigned.has(p.id))
        warnings.push({
          code: 'payee-without-plan',
          message: `payee "${p.id}" has no plan assignment and earns nothing`,
          payeeId: p.id,
        });
    }
  }
  return { errors, warnings };
}
