import { z } from 'zod';
import { dec, toDecimalString } from '../money/decimal.js';
import { planObjectSchema, type Plan, type PlanVersion, type TierTable } from './schema.js';

/** One problem with a value, named by its path ("versions.0.components.1.rates.tiers.2.from"). */
export interface FieldError {
  path: string;
  message: string;
}

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** Tiers must start at 0, touch edge to edge (to of one = from of the next) and end open-ended. */
function checkTierTable(table: TierTable, path: Path, ctx: Ctx): void {
  if (table.application === 'interpolated') {
    const curve = table.curve ?? [];
    if (table.basis === 'credit' && table.axis === 'count') {
      issue(
        ctx,
        [...path, 'basis'],
        'an interpolated curve on the count axis pays a target incentive or a fixed amount, not a rate on credit',
      );
    }
    if (curve.length < 2)
      issue(ctx, [...path, 'curve'], 'interpolated application needs a curve of at least two points');
    for (let i = 1; i < curve.length; i++) {
      if (!dec(curve[i]!.at).greaterThan(dec(curve[i - 1]!.at))) {
        issue(
          ctx,
          [...path, 'curve', i, 'at'],
          `curve points must rise: ${curve[i]!.at} does not come after ${curve[i - 1]!.at}`,
        );
      }
    }
    return;
  }
  const tiers = table.tiers;
  if (tiers.length === 0) {
    issue(ctx, [...path, 'tiers'], 'needs at least one tier');
    return;
  }
  if (!dec(tiers[0]!.from).isZero()) {
    issue(
      ctx,
      [...path, 'tiers', 0, 'from'],
      `the first tier must start at 0 (add a tier with rate "0" below ${tiers[0]!.from})`,
    );
  }
  tiers.forEach((tier, i) => {
    const last = i === tiers.length - 1;
    if (tier.to === null) {
      if (!last) issue(ctx, [...path, 'tiers', i, 'to'], 'only the last tier may be open-ended (to: null)');
      return;
    }
    if (!dec(tier.to).greaterThan(dec(tier.from))) {
      issue(ctx, [...path, 'tiers', i, 'to'], `must be above from (${tier.from})`);
    }
    if (last) {
      issue(
        ctx,
        [...path, 'tiers', i, 'to'],
        'the last tier must be open-ended (to: null); add a tier with rate "0" to pay nothing above',
      );
      return;
    }
    const next = tiers[i + 1]!;
    const cmp = dec(tier.to).comparedTo(dec(next.from));
    if (cmp < 0)
      issue(
        ctx,
        [...path, 'tiers', i + 1, 'from'],
        `tiers leave a gap: tier ${i} ends at ${tier.to} but tier ${i + 1} starts at ${next.from}`,
      );
    if (cmp > 0)
      issue(
        ctx,
        [...path, 'tiers', i + 1, 'from'],
        `tiers overlap: tier ${i} ends at ${tier.to} but tier ${i + 1} starts at ${next.from}`,
      );
  });
}

function checkVersion(v: PlanVersion, path: Path, ctx: Ctx): void {
  const componentIds = new Set<string>();
  v.components.forEach((c, i) => {
    if (componentIds.has(c.id)) issue(ctx, [...path, 'components', i, 'id'], `duplicate component id "${c.id}"`);
    componentIds.add(c.id);
  });
  const known = (cid: string | undefined) => cid === undefined || componentIds.has(cid);
  if (!known(v.primaryComponentId))
    issue(ctx, [...path, 'primaryComponentId'], `no component "${v.primaryComponentId}" in this version`);

  const weights = v.components.filter((c) => c.weight !== undefined);
  if (weights.length > 0) {
    const total = weights.reduce((s, c) => s.plus(dec(c.weight!)), dec(0));
    if (weights.length !== v.components.length)
      issue(ctx, [...path, 'components'], 'weights must be given for every component or for none');
    else if (!total.equals(1))
      issue(
        ctx,
        [...path, 'components'],
        `component weights must total 1 (100 %), they total ${toDecimalString(total)}`,
      );
  }

  v.components.forEach((c, i) => {
    const cp: Path = [...path, 'components', i];
    checkTierTable(c.rates, [...cp, 'rates'], ctx);
    if (c.rates.basis === 'targetIncentive' && !v.targetIncentive) {
      issue(ctx, [...cp, 'rates', 'basis'], 'basis "targetIncentive" needs the version\'s targetIncentive');
    }
    if (c.quota.source === 'plan' && c.quota.amount === undefined)
      issue(ctx, [...cp, 'quota', 'amount'], 'quota source "plan" needs an amount');
    const season = c.quota.seasonality;
    if (season && season.length !== 12 && season.length !== 4) {
      issue(ctx, [...cp, 'quota', 'seasonality'], `needs 12 monthly or 4 quarterly weights, got ${season.length}`);
    }
    if (season && season.every((w) => dec(w).isZero()))
      issue(ctx, [...cp, 'quota', 'seasonality'], 'weights must not all be zero');
    const gates = [
      ...c.gates.map((g, j) => ({ g, p: [...cp, 'gates', j] as Path })),
      ...c.rates.tiers.flatMap((t, j) =>
        t.gate ? [{ g: t.gate, p: [...cp, 'rates', 'tiers', j, 'gate'] as Path }] : [],
      ),
    ];
    for (const { g, p } of gates) {
      if (g.on === 'component' && g.componentId === undefined)
        issue(ctx, [...p, 'componentId'], 'a gate on another component must name componentId');
      if (!known(g.componentId)) issue(ctx, [...p, 'componentId'], `no component "${g.componentId}" in this version`);
      if (g.on === 'component' && g.componentId === c.id)
        issue(ctx, [...p, 'componentId'], 'use on: "self" for a gate on this component');
    }
    c.caps.forEach((cap, j) => {
      if (cap.kind === 'attainment' && c.rates.axis === 'count')
        issue(ctx, [...cp, 'caps', j, 'kind'], 'an attainment cap needs an amount or attainment axis');
    });
  });

  v.bonuses.forEach((b, i) => {
    const bp: Path = [...path, 'bonuses', i];
    if (!known(b.componentId)) issue(ctx, [...bp, 'componentId'], `no component "${b.componentId}" in this version`);
    if (b.kind === 'milestone') {
      if (b.minAttainment === undefined) issue(ctx, [...bp, 'minAttainment'], 'a milestone bonus needs minAttainment');
      if (b.amount === undefined) issue(ctx, [...bp, 'amount'], 'a milestone bonus needs amount');
    } else {
      const steps = b.steps ?? [];
      if (steps.length === 0) issue(ctx, [...bp, 'steps'], 'a stepped bonus needs steps');
      for (let j = 1; j < steps.length; j++) {
        if (!dec(steps[j]!.minAttainment).greaterThan(dec(steps[j - 1]!.minAttainment))) {
          issue(ctx, [...bp, 'steps', j, 'minAttainment'], 'steps must rise in minAttainment');
        }
      }
    }
  });

  v.spifs.forEach((s, i) => {
    const sp: Path = [...path, 'spifs', i];
    if (s.to < s.from) issue(ctx, [...sp, 'to'], `ends (${s.to}) before it starts (${s.from})`);
    if (s.payout.kind === 'tieredByCount') {
      checkTierTable(
        {
          application: 'marginal',
          input: 'period',
          axis: 'count',
          countBy: 'deals',
          basis: 'fixed',
          beyondLast: 'flat',
          tiers: s.payout.tiers.map((t) => ({ from: t.from, to: t.to, rate: t.amount, multiplier: '1' })),
        },
        [...sp, 'payout'],
        ctx,
      );
    }
  });

  if (v.draw) {
    const d = v.draw;
    if (d.fromPeriod && d.untilPeriod && d.untilPeriod < d.fromPeriod)
      issue(ctx, [...path, 'draw', 'untilPeriod'], 'comes before fromPeriod');
  }
  if (v.clawback?.schedule) {
    const rows = v.clawback.schedule;
    for (let j = 1; j < rows.length; j++) {
      if (rows[j]!.monthsSinceCloseBelow <= rows[j - 1]!.monthsSinceCloseBelow) {
        issue(
          ctx,
          [...path, 'clawback', 'schedule', j, 'monthsSinceCloseBelow'],
          'schedule rows must rise in monthsSinceCloseBelow',
        );
      }
    }
  }
  const overrideIds = new Set<string>();
  v.overrides.forEach((o, i) => {
    if (overrideIds.has(o.id)) issue(ctx, [...path, 'overrides', i, 'id'], `duplicate override id "${o.id}"`);
    overrideIds.add(o.id);
  });
}

export function checkPlan(plan: Plan, ctx: Ctx): void {
  const versionIds = new Set<string>();
  plan.versions.forEach((v, i) => {
    if (versionIds.has(v.id)) issue(ctx, ['versions', i, 'id'], `duplicate version id "${v.id}"`);
    versionIds.add(v.id);
    if (i > 0 && v.effectiveFrom <= plan.versions[i - 1]!.effectiveFrom) {
      issue(
        ctx,
        ['versions', i, 'effectiveFrom'],
        `versions must be in order of effectiveFrom: ${v.effectiveFrom} is not after ${plan.versions[i - 1]!.effectiveFrom}`,
      );
    }
    checkVersion(v, ['versions', i], ctx);
  });
}

/** The plan schema with its cross-field checks. Parse every plan with this. */
export const planSchema = planObjectSchema.superRefine(checkPlan);

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

export type PlanParseResult = { ok: true; plan: Plan } | { ok: false; errors: FieldError[] };

/** Parses and validates a plan; errors name the field ("versions.0.components.0.rates.tiers.1.from: tiers overlap …"). */
export function parsePlan(input: unknown): PlanParseResult {
  const parsed = planSchema.safeParse(input);
  return parsed.success ? { ok: true, plan: parsed.data } : { ok: false, errors: toFieldErrors(parsed.error) };
}
