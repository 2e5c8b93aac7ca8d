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
import { dataRevision } from '../../store/repos/data-revision.js';
import { managedPayeeIds, resolveHubSpotUser, type HubSpotUserRole } from '../../store/repos/hubspot-users.js';
import { forbidden, unauthorized } from '../errors.js';
import type { Principal, Role } from '../../auth/principal.js';
import { RevisionCache } from './revision-cache.js';

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
export function signedIdentity(
  originalUrl: string,
): { portalId: string; userId: string; appId: string } | { problem: string } {
  const q = originalUrl.indexOf('?');
  const params = new URLSearchParams(q === -1 ? '' : originalUrl.slice(q + 1));
  const out: Record<string, string> = {};
  for (const name of IDENTITY_PARAMS) {
    const values = params.getAll(name);
    if (values.length !== 1)
      return { problem: values.length === 0 ? `${name} is missing` : `${name} appears ${values.length} times` };
    if (!NUMERIC_ID.test(values[0]!)) return { problem: `${name} is not a HubSpot id` };
    out[name] = values[0]!;
  }
  return { portalId: out.portalId!, userId: out.userId!, appId: out.appId! };
}

export function viewerPrincipal(v: CardViewer): Principal {
  return {
    tenantId: v.tenantId,
    role: v.role,
    payeeId: v.payeeId,
    tokenId: `hubspot-user:${v.hubspotUserId}`,
    actor: `hubspot-user:${v.hubspotUserId} (${v.role})`,
  };
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

/**
 * Portal → tenant and user → role and scope are cached for the tenant's data revision, which every write to
 * connections, tenants (admin list), payees and teams changes: a cached identity costs one primary-key lookup, and
 * an uninstall or a new manager is seen by the next request. Refusals are never cached.
 */
export function cardIdentity(db: Db, opts: { appId: () => string | undefined }): RequestHandler {
  const portals = new Map<string, { tenantId: string; revision: string }>();
  const users = new RevisionCache<{ user: HubSpotUserRole; scope: CardViewer['scope'] }>(10_000);
  const MAX_PORTALS = 10_000;

  async function tenantOf(portalId: string): Promise<{ tenantId: string; revision: string | null } | undefined> {
    const cached = portals.get(portalId);
    if (cached) {
      const revision = await dataRevision(db, cached.tenantId);
      if (revision === cached.revision) return { tenantId: cached.tenantId, revision };
      portals.delete(portalId);
    }
    const tenantId = await connectedTenant(db, portalId);
    if (tenantId === undefined) return undefined;
    // The tenant is known only after the lookup, so its revision is read after it; looking up again confirms no
    // connection change committed in between (one that commits later changes the revision).
    const revision = await dataRevision(db, tenantId);
    if (revision !== null && (await connectedTenant(db, portalId)) === tenantId) {
      if (portals.size >= MAX_PORTALS) portals.delete(portals.keys().next().value!);
      portals.set(portalId, { tenantId, revision });
      return { tenantId, revision };
    }
    return { tenantId, revision: null };
  }

  return (req: Request, _res: Response, next: NextFunction) => {
    void (async () => {
      const id = signedIdentity(req.originalUrl);
      if ('problem' in id) throw unauthorized(`The signed request does not identify a HubSpot user: ${id.problem}.`);
      const expectedApp = opts.appId();
      if (expectedApp !== undefined && id.appId !== expectedApp)
        throw unauthorized('The request was signed for another app.');
      const tenant = await tenantOf(id.portalId);
      if (tenant === undefined) throw forbidden('This HubSpot account is not connected to Attain.');
      const { tenantId, revision } = tenant;
      const key = `${tenantId}\u0000${id.userId}`;
      let known = users.get(key, revision);
      if (!known) {
        const user = await resolveHubSpotUser(db, tenantId, id.userId);
        if (!user) throw forbidden('Your HubSpot user is not set up in Attain (not a payee, not an admin).');
        const scope: CardViewer['scope'] =
          user.role === 'admin'
            ? 'all'
            : user.role === 'manager' && user.payeeId
              ? new Set(await managedPayeeIds(db, tenantId, user.payeeId))
              : new Set(user.payeeId ? [user.payeeId] : []);
        known = { user, scope };
        users.set(key, revision, known);
      }
      const { user, scope } = known;
      req.cardViewer = {
        tenantId,
        portalId: id.portalId,
        hubspotUserId: id.userId,
        payeeId: user.payeeId,
        role: user.role,
        scope,
      };
    })().then(() => next(), next);
  };
}

export function viewerOf(req: Request): CardViewer {
  if (!req.cardViewer) throw unauthorized();
  return req.cardViewer;
}
