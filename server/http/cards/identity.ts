/**
 * Who is asking, from a request HubSpot signed. `hubspot.fetch` lets the card choose the URL, then HubSpot's proxy
 * appends `appId`, `portalId`, `userId` (and `userEmail`) and signs the whole URL. The signature therefore proves
 * that HubSpot sent the URL — not that every parameter in it came from HubSpot: a card (or a user replaying the
 * proxy call) could put its own `userId=` in the query before HubSpot appends the real one. So:
 *   - the identity parameters must appear exactly once each (a second copy means someone tried to add one);
 *   - our cards never put them in their URLs;
 *   - `appId` must be ours when HUBSPOT_APP_ID is configured;
 *   - the portal must be a connected HubSpot account (status connected → tenant), the user a payee or a listed
 *     admin (→ role).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../../store/repos/db.js';
import { managedPayeeIds, resolveHubSpotUser } from '../../store/repos/hubspot-users.js';
import { forbidden, unauthorized } from '../errors.js';
import type { Principal, Role } from '../../auth/principal.js';

export interface CardViewer {
  tenantId: string;
  portalId: string;
  hubspotUserId: string;
  payeeId: string | null;
  role: Role;
  /** Payees whose pay this viewer may see: 'all' for admins. */
  scope: ReadonlySet<string> | 'all';
}

declare module 'express-serve-static-core' {
  interface Request {
    cardViewer?: CardViewer;
  }
}

const IDENTITY_PARAMS = ['portalId', 'userId', 'appId'] as const;
const NUMERIC_ID = /^\d{1,20}$/;

/** The identity parameters HubSpot appended, or a reason to refuse the request. */
export function signedIdentity(originalUrl: string): { portalId: string; userId: string; appId: string } | { problem: string } {
  const q = originalUrl.indexOf('?');
  const params = new URLSearchParams(q === -1 ? '' : originalUrl.slice(q + 1));
  const out: Record<string, string> = {};
  for (const name of IDENTITY_PARAMS) {
    const values = params.getAll(name);
    if (values.length !== 1) return { problem: values.length === 0 ? `${name} is missing` : `${name} appears ${values.length} times` };
    if (!NUMERIC_ID.test(values[0]!)) return { problem: `${name} is not a HubSpot id` };
    out[name] = values[0]!;
  }
  return { portalId: out.portalId!, userId: out.userId!, appId: out.appId! };
}

export function viewerPrincipal(v: CardViewer): Principal {
  return { tenantId: v.tenantId, role: v.role, payeeId: v.payeeId, tokenId: `hubspot-user:${v.hubspotUserId}`, actor: `hubspot-user:${v.hubspotUserId} (${v.role})` };
}

export function canSee(v: CardViewer, payeeId: string): boolean {
  return v.scope === 'all' || v.scope.has(payeeId);
}

/** The tenant of a portal whose HubSpot connection is live; an uninstalled portal gets nothing. */
async function connectedTenant(db: Db, portalId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('crm_connections')
    .select('tenant_id')
    .where('provider', '=', 'hubspot')
    .where('account_id', '=', portalId)
    .where('status', '=', 'connected')
    .executeTakeFirst();
  return r?.tenant_id;
}

export function cardIdentity(db: Db, opts: { appId: () => string | undefined }): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    void (async () => {
      const id = signedIdentity(req.originalUrl);
      if ('problem' in id) throw unauthorized(`The signed request does not identify a HubSpot user: ${id.problem}.`);
      const expectedApp = opts.appId();
      if (expectedApp !== undefined && id.appId !== expectedApp) throw unauthorized('The request was signed for another app.');
      const tenantId = await connectedTenant(db, id.portalId);
      if (tenantId === undefined) throw forbidden('This HubSpot account is not connected to Attain.');
      const user = await resolveHubSpotUser(db, tenantId, id.userId);
      if (!user) throw forbidden('Your HubSpot user is not set up in Attain (not a payee, not an admin).');
      const scope: CardViewer['scope'] =
        user.role === 'admin' ? 'all' : user.role === 'manager' && user.payeeId ? new Set(await managedPayeeIds(db, tenantId, user.payeeId)) : new Set(user.payeeId ? [user.payeeId] : []);
      req.cardViewer = { tenantId, portalId: id.portalId, hubspotUserId: id.userId, payeeId: user.payeeId, role: user.role, scope };
    })().then(() => next(), next);
  };
}

export function viewerOf(req: Request): CardViewer {
  if (!req.cardViewer) throw unauthorized();
  return req.cardViewer;
}
