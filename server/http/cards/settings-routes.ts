/**
 * The settings page API under /hubspot/settings (HubSpot-signed, admins only). Plans are validated with the
 * plan schema (field-level messages), previewed as the payout difference for every payee in the period the new
 * version starts in, and published as a new effective-dated version — history is never edited.
 */
import express, { type Router } from 'express';
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import { assignmentSchema, quotaSchema } from '../../../src/data/index.js';
import { dec, toDecimalString } from '../../../src/money/decimal.js';
import { calculate } from '../../../src/engine/index.js';
import { parsePlan, type Plan } from '../../../src/plan/index.js';
import { periodContaining } from '../../../src/time/index.js';
import { recordAudit } from '../../audit/index.js';
import { attainmentRecordsStatus } from '../../writeback/attainment-records.js';
import { loadCalcInputs } from '../../calc/load-inputs.js';
import type { RecalcPort } from '../../app.js';
import { hubspotSignature } from '../../auth/hubspot-signature.js';
import { listAssignments, upsertAssignments } from '../../store/repos/assignments.js';
import { listPayees } from '../../store/repos/payees.js';
import { getPlan, listPlans, savePlanRevision } from '../../store/repos/plans.js';
import { getQuota, listQuotas, upsertQuotas } from '../../store/repos/quotas.js';
import { getTenant } from '../../store/repos/tenants.js';
import { fieldErrors, forbidden, invalid, type FieldError } from '../errors.js';
import { ago, money } from './format.js';
import { cardIdentity, viewerOf, viewerPrincipal } from './identity.js';
import {
  localeParam,
  planCheckView,
  planPreviewView,
  publishView,
  settingsView,
  type Locale,
  type PlanPreviewView,
  type SettingsView,
} from './schemas.js';
import type { CardRouteOptions } from './routes.js';

const planBody = z.object({ plan: z.unknown(), locale: z.string().max(35).optional() });
const quotasBody = z.object({ quotas: z.array(quotaSchema).min(1, 'must hold at least one quota').max(10_000) });
const assignmentsBody = z.object({
  assignments: z.array(assignmentSchema).min(1, 'must hold at least one assignment').max(10_000),
});

const TEXT = {
  en: {
    connected: 'Connected',
    uninstalled: 'Uninstalled',
    none: 'Not connected',
    never: 'never',
    synced: (a: string) => `Synced ${a}`,
    provisioned: 'Deal properties provisioned at install',
    notProvisioned: 'Not provisioned',
    attainment: {
      written: 'Attainment records written to HubSpot',
      unavailable: 'Attainment records unavailable (custom objects need Enterprise)',
      unknown: 'Attainment records: not checked yet',
    },
  },
  da: {
    connected: 'Forbundet',
    uninstalled: 'Afinstalleret',
    none: 'Ikke forbundet',
    never: 'aldrig',
    synced: (a: string) => `Synkroniseret ${a}`,
    provisioned: 'Handelsegenskaber oprettet ved installation',
    notProvisioned: 'Ikke oprettet',
    attainment: {
      written: 'Målopfyldelsesposter skrevet til HubSpot',
      unavailable: 'Målopfyldelsesposter utilgængelige (brugerdefinerede objekter kræver Enterprise)',
      unknown: 'Målopfyldelsesposter: ikke kontrolleret endnu',
    },
  },
} as const;

function requireAdmin(req: express.Request): ReturnType<typeof viewerOf> {
  const viewer = viewerOf(req);
  if (viewer.role !== 'admin') throw forbidden('Only Attain admins may open the settings.');
  return viewer;
}

function parseBody(body: unknown): { plan: Plan | null; errors: FieldError[]; locale: Locale } {
  const b = planBody.safeParse(body ?? {});
  if (!b.success) throw invalid(fieldErrors(b.error, 'body'));
  const locale = localeParam.parse(b.data.locale);
  const parsed = parsePlan(b.data.plan);
  return parsed.ok
    ? { plan: parsed.plan, errors: [], locale }
    : {
        plan: null,
        errors: parsed.errors.map((e) => ({ path: `plan.${e.path}`.replace(/\.$/, ''), message: e.message })),
        locale,
      };
}

/** An existing plan may only gain versions: the saved ones are history. */
function historyErrors(before: Plan, after: Plan): FieldError[] {
  const errors: FieldError[] = before.versions.flatMap((v, i) =>
    isDeepStrictEqual(after.versions[i], v)
      ? []
      : [
          {
            path: `plan.versions.${i}`,
            message: `version "${v.id}" (effective ${v.effectiveFrom}) is history and cannot be changed or removed; add a new version instead`,
          },
        ],
  );
  if (errors.length === 0 && after.versions.length === before.versions.length)
    errors.push({ path: 'plan.versions', message: 'add a new version to publish (nothing changed)' });
  return errors;
}

export function settingsRouter(opts: CardRouteOptions & { recalc: RecalcPort }): Router {
  const { db } = opts;
  const router = express.Router();
  router.use(
    hubspotSignature({
      secrets: opts.clientSecrets,
      publicOrigin: opts.publicOrigin ?? '',
      now: () => opts.now().getTime(),
    }),
  );
  router.use(cardIdentity(db, { appId: opts.appId }));

  async function check(tenantId: string, body: unknown) {
    const { plan, errors, locale } = parseBody(body);
    if (!plan) return { plan, errors, locale, current: undefined };
    const current = await getPlan(db, tenantId, plan.id);
    return { plan, errors: current ? historyErrors(current.plan, plan) : [], locale, current };
  }

  router.get('/', async (req, res) => {
    const viewer = requireAdmin(req);
    const locale = localeParam.parse(typeof req.query.locale === 'string' ? req.query.locale : undefined);
    const now = opts.now();
    const t = TEXT[locale];
    const tenant = await getTenant(db, viewer.tenantId);
    const payees = await listPayees(db, viewer.tenantId);
    const names = new Map(payees.map((p) => [p.id, p.name]));
    const year = periodContaining(now.toISOString().slice(0, 10), 'year', {
      fiscalYearStartMonth: tenant?.fiscalYearStartMonth ?? 1,
    }).id;
    const conn = await db
      .selectFrom('crm_connections')
      .select(['status', 'account_id', 'updated_at'])
      .where('tenant_id', '=', viewer.tenantId)
      .where('provider', '=', 'hubspot')
      .executeTakeFirst();
    const sync = await sql<{
      at: Date | null;
    }>`SELECT max(updated_at) AS at FROM sync_checkpoints WHERE tenant_id = ${viewer.tenantId} AND crm = 'hubspot'`.execute(
      db,
    );
    const lastSync = sync.rows[0]?.at ?? null;
    const status = conn?.status ?? 'none';
    const attainmentRecords = (await attainmentRecordsStatus(db, viewer.tenantId)) ?? 'unknown';
    const view: SettingsView = {
      locale,
      plans: (await listPlans(db, viewer.tenantId)).map((r) => ({
        id: r.plan.id,
        name: r.plan.name,
        currency: r.plan.currency,
        revision: r.revision,
        versions: r.plan.versions.map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom })),
        definition: r.plan as unknown as SettingsView['plans'][number]['definition'],
      })),
      payees: payees.map((p) => ({ id: p.id, name: p.name })),
      assignments: (await listAssignments(db, viewer.tenantId)).map((a) => ({
        payeeId: a.payeeId,
        payeeName: names.get(a.payeeId) ?? a.payeeId,
        planId: a.planId,
        from: a.from,
        to: a.to ?? null,
      })),
      quotas: (await listQuotas(db, viewer.tenantId, { year })).map((q) => ({
        payeeId: q.payeeId,
        payeeName: names.get(q.payeeId) ?? q.payeeId,
        periodId: q.periodId,
        amount: money(q.amount, tenant?.currency ?? 'DKK', locale),
      })),
      connection: {
        status,
        statusText:
          status === 'connected'
            ? t.connected
            : status === 'uninstalled'
              ? t.uninstalled
              : status === 'none'
                ? t.none
                : status,
        accountId: conn?.account_id ?? null,
        lastSync: lastSync ? lastSync.toISOString() : null,
        lastSyncText: lastSync ? t.synced(ago(lastSync, now, locale)) : t.never,
        provisioning: conn?.status === 'connected' ? t.provisioned : t.notProvisioned,
        attainmentRecords,
        attainmentRecordsText: t.attainment[attainmentRecords],
      },
    };
    res.json(settingsView.parse(view));
  });

  router.post('/plans/check', async (req, res) => {
    const viewer = requireAdmin(req);
    const { errors } = await check(viewer.tenantId, req.body);
    res.json(planCheckView.parse({ ok: errors.length === 0, errors }));
  });

  router.post('/plans/preview', async (req, res) => {
    const viewer = requireAdmin(req);
    const { plan, errors, locale } = await check(viewer.tenantId, req.body);
    if (!plan || errors.length > 0) throw invalid(errors, 'Fix the plan before previewing it.');
    const inputs = await loadCalcInputs(db, viewer.tenantId);
    const newest = plan.versions[plan.versions.length - 1]!;
    const periodId = periodContaining(newest.effectiveFrom, 'quarter', plan.calendar).id;
    const asOf = opts.now().toISOString().slice(0, 10);
    const proposedPlans = [...inputs.plans.filter((p) => p.id !== plan.id), plan];
    const before =
      inputs.plans.length > 0
        ? calculate({ plans: inputs.plans, data: inputs.data, periodId, asOf, explain: false }).payees
        : [];
    const after = calculate({ plans: proposedPlans, data: inputs.data, periodId, asOf, explain: false }).payees;
    const was = new Map(before.map((r) => [r.payeeId, r.earnings]));
    const rows: PlanPreviewView['rows'] = after.map((r) => {
      const current = was.get(r.payeeId) ?? '0';
      return {
        payeeId: r.payeeId,
        name: r.name,
        current: money(current, r.currency, locale),
        proposed: money(r.earnings, r.currency, locale),
        difference: money(toDecimalString(dec(r.earnings).minus(dec(current))), r.currency, locale),
      };
    });
    const sumOf = (f: (r: (typeof rows)[number]) => string) =>
      toDecimalString(rows.reduce((acc, r) => acc.plus(dec(f(r))), dec(0)));
    const single = new Set(after.map((r) => r.currency)).size === 1 ? after[0]?.currency : undefined;
    res.json(
      planPreviewView.parse({
        periodId,
        rows,
        total: single
          ? {
              current: money(
                sumOf((r) => r.current.amount),
                single,
                locale,
              ),
              proposed: money(
                sumOf((r) => r.proposed.amount),
                single,
                locale,
              ),
              difference: money(
                sumOf((r) => r.difference.amount),
                single,
                locale,
              ),
            }
          : null,
      }),
    );
  });

  router.post('/plans/publish', async (req, res) => {
    const viewer = requireAdmin(req);
    const { plan, errors } = await check(viewer.tenantId, req.body);
    if (!plan || errors.length > 0) throw invalid(errors, 'The plan was not published.');
    const principal = viewerPrincipal(viewer);
    const saved = await db.transaction().execute(async (trx) => {
      const current = await getPlan(trx, viewer.tenantId, plan.id);
      if (current && historyErrors(current.plan, plan).length > 0)
        throw invalid(historyErrors(current.plan, plan), 'The plan changed while you edited it; reload.');
      const revision = await savePlanRevision(trx, viewer.tenantId, plan, principal.actor);
      await recordAudit(trx, {
        tenantId: viewer.tenantId,
        actor: principal.actor,
        at: opts.now(),
        action: 'plan.saved',
        entityType: 'plan',
        entityId: plan.id,
        before: current?.plan ?? null,
        after: plan,
      });
      return revision;
    });
    const newest = plan.versions[plan.versions.length - 1]!;
    const run = await opts.recalc.request({ tenantId: viewer.tenantId, actor: principal.actor });
    res
      .status(201)
      .json(
        publishView.parse({
          planId: plan.id,
          revision: saved.revision,
          versionId: newest.id,
          effectiveFrom: newest.effectiveFrom,
          recalcRunId: run.runId,
        }),
      );
  });

  // Quotas and assignments: insert or replace, all or nothing, every change audited, then one recalculation.
  router.put('/quotas', async (req, res) => {
    const viewer = requireAdmin(req);
    const body = quotasBody.safeParse(req.body ?? {});
    if (!body.success) throw invalid(fieldErrors(body.error, 'body'));
    const principal = viewerPrincipal(viewer);
    await db.transaction().execute(async (trx) => {
      const known = new Set(
        (await listPayees(trx, viewer.tenantId, [...new Set(body.data.quotas.map((q) => q.payeeId))])).map((p) => p.id),
      );
      const errors = body.data.quotas.flatMap((q, i) =>
        known.has(q.payeeId)
          ? []
          : [{ path: `body.quotas.${i}.payeeId`, message: `payee "${q.payeeId}" does not exist` }],
      );
      if (errors.length > 0) throw invalid(errors, 'No quota was stored.');
      for (const q of body.data.quotas) {
        const before = await getQuota(trx, viewer.tenantId, q);
        if (before?.amount === q.amount) continue;
        await recordAudit(trx, {
          tenantId: viewer.tenantId,
          actor: principal.actor,
          at: opts.now(),
          action: 'quota.set',
          entityType: 'quota',
          entityId: `${q.payeeId}/${q.periodId}/${q.componentId ?? ''}`,
          before: before ?? null,
          after: q,
        });
      }
      await upsertQuotas(trx, viewer.tenantId, body.data.quotas);
    });
    const run = await opts.recalc.request({ tenantId: viewer.tenantId, actor: principal.actor });
    res.json({ stored: body.data.quotas.length, recalcRunId: run.runId });
  });

  router.put('/assignments', async (req, res) => {
    const viewer = requireAdmin(req);
    const body = assignmentsBody.safeParse(req.body ?? {});
    if (!body.success) throw invalid(fieldErrors(body.error, 'body'));
    const principal = viewerPrincipal(viewer);
    await db.transaction().execute(async (trx) => {
      const payees = new Set((await listPayees(trx, viewer.tenantId)).map((p) => p.id));
      const plans = new Set((await listPlans(trx, viewer.tenantId)).map((r) => r.plan.id));
      const errors = body.data.assignments.flatMap((a, i) => [
        ...(payees.has(a.payeeId)
          ? []
          : [{ path: `body.assignments.${i}.payeeId`, message: `payee "${a.payeeId}" does not exist` }]),
        ...(plans.has(a.planId)
          ? []
          : [{ path: `body.assignments.${i}.planId`, message: `plan "${a.planId}" does not exist` }]),
        ...(a.to && a.to < a.from
          ? [{ path: `body.assignments.${i}.to`, message: `must not be before from (${a.from})` }]
          : []),
      ]);
      if (errors.length > 0) throw invalid(errors, 'No assignment was stored.');
      for (const a of body.data.assignments) {
        await recordAudit(trx, {
          tenantId: viewer.tenantId,
          actor: principal.actor,
          at: opts.now(),
          action: 'assignment.set',
          entityType: 'assignment',
          entityId: `${a.payeeId}/${a.planId}/${a.from}`,
          before: null,
          after: a,
        });
      }
      await upsertAssignments(trx, viewer.tenantId, body.data.assignments);
    });
    const run = await opts.recalc.request({ tenantId: viewer.tenantId, actor: principal.actor });
    res.json({ stored: body.data.assignments.length, recalcRunId: run.runId });
  });

  router.post('/resync', async (req, res) => {
    const viewer = requireAdmin(req);
    const run = await opts.recalc.request({ tenantId: viewer.tenantId, actor: viewerPrincipal(viewer).actor });
    res.status(202).json({ runId: run.runId });
  });

  return router;
}
