/**
 * The card API under /hubspot/cards: every request is HubSpot-signed (v3, raw body, public URL), mapped to a tenant
 * and a viewer, validated with zod, and answered with a view model. Pay comes from CardData (store + engine).
 */
import express, { type Request, type Router } from 'express';
import type { z } from 'zod';
import { hubspotSignature } from '../../auth/hubspot-signature.js';
import type { Db } from '../../store/repos/db.js';
import { fieldErrors, forbidden, invalid, notFound } from '../errors.js';
import type { CardData } from './data.js';
import { canSee, cardIdentity, viewerOf } from './identity.js';
import {
  contactCardQuery,
  contactCardView as contactCardViewSchema,
  dealCardQuery,
  dealCardView as dealCardViewSchema,
  teamQuery,
  teamView as teamViewSchema,
  type Locale,
} from './schemas.js';
import { contactCardView, dealCardView, quotaProgress, teamView, type ContactDeal } from './view-models.js';
import { sum, dec, toDecimalString } from '../../../src/money/decimal.js';

export interface CardRouteOptions {
  db: Db;
  data: CardData;
  now: () => Date;
  /** Public origin HubSpot calls (PUBLIC_BASE_URL); the signature covers it. */
  publicOrigin: string | undefined;
  /** Current app client secret first, then a previous one during a rotation. */
  clientSecrets: () => readonly string[];
  appId: () => string | undefined;
  onSignatureFailure?: (req: Request, reason: string) => void;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(fieldErrors(r.error, where));
  return r.data;
}

/** HubSpot record ids are digits; the store keys deals by the CRM id, imported data may use other ids. */
const RECORD_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

function recordId(raw: string | undefined, what: string): string {
  if (raw === undefined || !RECORD_ID.test(raw))
    throw invalid([{ path: `params.${what}`, message: 'must be a record id' }]);
  return raw;
}

/** The query without HubSpot's identity parameters; a repeated parameter is a client error, not a crash. */
function cardQuery(req: Request): Record<string, string | string[]> {
  return req.query as Record<string, string | string[]>;
}

/** Responses are checked against their schema in tests and development; a drift is our bug, reported as such. */
function send<S extends z.ZodType>(schema: S, value: z.input<S>, strict: boolean): z.output<S> | z.input<S> {
  return strict ? schema.parse(value) : value;
}

export function cardRouter(opts: CardRouteOptions): Router {
  const router = express.Router();
  const strict = process.env.NODE_ENV !== 'production';
  router.use(
    hubspotSignature({
      secrets: opts.clientSecrets,
      publicOrigin: opts.publicOrigin ?? '',
      now: () => opts.now().getTime(),
      ...(opts.onSignatureFailure ? { onFailure: opts.onSignatureFailure } : {}),
    }),
  );
  router.use(cardIdentity(opts.db, { appId: opts.appId }));

  router.get('/deals/:dealId', async (req, res) => {
    const viewer = viewerOf(req);
    const dealId = recordId(req.params.dealId, 'dealId');
    const q = parse(dealCardQuery, cardQuery(req), 'query');
    const whatIf =
      q.whatIfAmount !== undefined || q.whatIfCloseDate !== undefined
        ? {
            ...(q.whatIfAmount ? { amount: q.whatIfAmount } : {}),
            ...(q.whatIfCloseDate ? { closeDate: q.whatIfCloseDate } : {}),
          }
        : null;
    const now = opts.now();
    const found = await opts.data.estimateDeal(viewer.tenantId, dealId, whatIf, now);
    if (!found) throw notFound(`Deal ${dealId}`);
    const { estimate } = found;
    const visible = estimate.payees.filter((p) => canSee(viewer, p.payeeId));
    if (estimate.payees.length > 0 && visible.length === 0)
      throw forbidden('You may not see the pay of anyone this deal credits.');
    const settlements = new Map<string, Awaited<ReturnType<CardData['settlement']>>>();
    if (estimate.status === 'won') {
      for (const p of visible)
        settlements.set(
          p.payeeId,
          await opts.data.settlement(viewer.tenantId, p.payeeId, { id: dealId, periodId: p.periodId }, now),
        );
    }
    const view = dealCardView({
      estimate,
      locale: q.locale,
      viewerPayeeId: viewer.payeeId,
      canSee: (id) => canSee(viewer, id),
      settlement: (id) => settlements.get(id) ?? 'earned',
      calculatedAt: found.calculatedAt,
      now,
    });
    res.json(send(dealCardViewSchema, view, strict));
  });

  router.get('/contacts/:contactId', async (req, res) => {
    const viewer = viewerOf(req);
    const contactId = recordId(req.params.contactId, 'contactId');
    const q = parse(contactCardQuery, cardQuery(req), 'query');
    const now = opts.now();
    const today = now.toISOString().slice(0, 10);

    let owner = null;
    let ownerNote: 'unknown' | 'hidden' | null = null;
    let calculatedAt: Date | null = null;
    if (q.ownerId) {
      const payee = await opts.data.payeeForOwner(viewer.tenantId, q.ownerId);
      if (!payee) ownerNote = 'unknown';
      else if (!canSee(viewer, payee.id)) ownerNote = 'hidden';
      else {
        const period = await opts.data.periodResults(viewer.tenantId, [payee.id], undefined, now);
        const result = period.results.find((r) => r.payeeId === payee.id);
        calculatedAt = period.calculatedAt;
        owner = result ? quotaProgress(result, period, today, q.locale) : null;
      }
    } else ownerNote = 'unknown';

    const deals: ContactDeal[] = [];
    for (const deal of await opts.data.openDeals(viewer.tenantId, q.dealIds ?? [])) {
      const found = await opts.data.estimateDeal(viewer.tenantId, deal.id, null, now);
      const mine = found?.estimate.payees.filter((p) => canSee(viewer, p.payeeId)) ?? [];
      const currencies = new Set(mine.map((p) => p.currency));
      const first = mine[0];
      deals.push({
        dealId: deal.id,
        name: deal.name ?? deal.id,
        amount: deal.amount,
        currency: deal.currency,
        closeDate: deal.closeDate,
        commission:
          first && currencies.size === 1
            ? { amount: toDecimalString(sum(mine.map((p) => dec(p.commission)))), currency: first.currency }
            : null,
      });
      if (found?.calculatedAt && (!calculatedAt || found.calculatedAt > calculatedAt))
        calculatedAt = found.calculatedAt;
    }
    const view = contactCardView({ contactId, locale: q.locale, owner, ownerNote, deals, calculatedAt, now });
    res.json(send(contactCardViewSchema, view, strict));
  });

  router.get('/team', async (req, res) => {
    const viewer = viewerOf(req);
    const q = parse(teamQuery, cardQuery(req), 'query');
    const now = opts.now();
    const scope = viewer.scope === 'all' ? 'all' : [...viewer.scope];
    const period = await opts.data.periodResults(viewer.tenantId, scope, q.period, now);
    const view = teamView({
      results: period.results,
      periodId: period.periodId,
      periods: period.periods,
      locale: q.locale as Locale,
      calculatedAt: period.calculatedAt,
      now,
    });
    res.json(send(teamViewSchema, view, strict));
  });

  return router;
}
