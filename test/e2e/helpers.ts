/** Shared by the HubSpot end-to-end, fault and storm tests: a sandbox with a scenario, a store, the install deps. */
import { randomBytes } from 'node:crypto';
import type { Deal } from '../../src/data/index.js';
import { estimate, prepare, payeePeriodResult } from '../../src/engine/index.js';
import { loadCalcInputs } from '../../server/calc/load-inputs.js';
import { ATTAIN_DEAL_PROPERTIES } from '../../server/crm/hubspot/properties.js';
import type { InstallDeps } from '../../server/crm/hubspot/install.js';
import type { HubSpotSandbox } from '../../server/sandbox/hubspot/index.js';
import { createTokenCipher } from '../../server/security/token-cipher.js';
import type { Store } from '../../server/store/index.js';
import {
  creditPeriodOf,
  creditPeriodRule,
  dealValues,
  resultKey,
  VALUE_FIELDS,
} from '../../server/writeback/deal-results.js';
import { PROPERTY_BY_FIELD } from '../../server/crm/hubspot/properties.js';
import {
  DEFAULT_PERIODS_AHEAD,
  estimateCloseDate,
  estimateWindow,
  inWindow,
} from '../../server/writeback/open-deal-estimates.js';

export const FIXED_NOW = new Date('2026-10-15T09:00:00.000Z');

export function installDeps(store: Store, now: () => Date = () => FIXED_NOW): InstallDeps {
  return { db: store.db, cipher: createTokenCipher(randomBytes(32)), now };
}

export const ATTAIN_PROPERTY_NAMES = ATTAIN_DEAL_PROPERTIES.map((p) => p.name);

/** Every deal's attain_* properties as the sandbox holds them. */
export function attainState(sandbox: HubSpotSandbox): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [id, deal] of sandbox.state.objects.deals) {
    const props: Record<string, string> = {};
    for (const name of ATTAIN_PROPERTY_NAMES)
      if (deal.properties[name] !== undefined) props[name] = deal.properties[name]!;
    out[id] = props;
  }
  return out;
}

/**
 * What the engine says each deal should carry, computed straight from src/engine over the synced data
 * (not through the published results the write-back reads), as HubSpot property name → decimal string.
 * Open deals in the estimate window (default setting) carry the owner's `estimate`, one deal at a time.
 */
export async function expectedFromEngine(
  store: Store,
  tenantId: string,
  asOf: string,
): Promise<Record<string, Record<string, string>>> {
  const inputs = await loadCalcInputs(store.db, tenantId);
  const rule = creditPeriodRule(inputs.plans);
  const ctx = prepare({ plans: inputs.plans, data: inputs.data, asOf });
  const results = new Map<string, ReturnType<typeof payeePeriodResult>>();
  const out: Record<string, Record<string, string>> = {};
  const window = estimateWindow(asOf, rule, DEFAULT_PERIODS_AHEAD);
  const estimates = new Map<string, string>();
  for (const deal of inputs.data.deals as Deal[]) {
    if (!inWindow(deal, window) || !ctx.payees.has(deal.ownerId!)) continue;
    const closeDate = estimateCloseDate(deal, asOf);
    const input = { plans: inputs.plans, data: inputs.data, periodId: window.currentPeriodId, asOf };
    const e = estimate(input, deal.id, closeDate === deal.closeDate ? undefined : { closeDate });
    estimates.set(deal.id, e.payees.find((p) => p.payeeId === deal.ownerId)?.commission ?? '0.00');
  }
  for (const deal of inputs.data.deals as Deal[]) {
    const period = creditPeriodOf(deal, rule);
    if (deal.ownerId && period && ctx.payees.has(deal.ownerId) && !results.has(resultKey(deal.ownerId, period))) {
      results.set(resultKey(deal.ownerId, period), payeePeriodResult(ctx, deal.ownerId, period));
    }
    const values = dealValues(deal, rule, results, estimates);
    const props: Record<string, string> = {};
    for (const f of VALUE_FIELDS) if (values[f] !== null) props[PROPERTY_BY_FIELD.get(f)!.name] = values[f]!;
    out[deal.id] = props;
  }
  return out;
}

/** Drops attain_last_calculated_at, for comparisons with what the engine decides. */
export function withoutStamp(state: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(state).map(([id, p]) => [
      id,
      Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'attain_last_calculated_at')),
    ]),
  );
}
