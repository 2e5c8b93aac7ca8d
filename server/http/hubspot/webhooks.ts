/**
 * POST /hubspot/webhooks — HubSpot's webhook deliveries. Verified (signature v3 over the raw body, timing-safe,
 * five-minute window; server/auth/hubspot-signature.ts), replay-checked (a signature accepted once is refused
 * again), zod-parsed, stored in the inbox de-duplicated by event key, answered 204 at once; the work happens
 * afterwards (server/sync/service.ts).
 */
import { sql } from 'kysely';
import type { Request, Response, NextFunction } from 'express';
import type { Express } from 'express';
import { hubspotSignature, SIGNATURE_HEADER } from '../../auth/hubspot-signature.js';
import { acceptWebhook, findTenantByCrmAccount, type Db } from '../../store/index.js';
import { eventKey, hubspotEventsSchema, type HubSpotEvent } from '../../sync/webhook-events.js';
import { fieldErrors, invalid, unauthorized } from '../errors.js';

export interface WebhookRouteDeps {
  db: Db;
  now: () => Date;
  clientSecrets: () => readonly string[];
  /** Public origin HubSpot calls (the signed URI is built from it). */
  publicOrigin: string;
  /** Events for the tenant are in the inbox. */
  onEvents: (tenantId: string) => void;
  log?: { warn(fields: object, message: string): void };
}

export const WEBHOOK_PATH = '/hubspot/webhooks';

/** How long an accepted signature is remembered: longer than the window in which it could be replayed. */
const REPLAY_MEMORY = '10 minutes';

async function firstTimeSeen(db: Db, key: string, signature: string): Promise<boolean> {
  await sql`DELETE FROM webhook_signatures WHERE seen_at < now() - ${REPLAY_MEMORY}::interval`.execute(db);
  const r = await sql<{ signature: string }>`
    INSERT INTO webhook_signatures (tenant_id, signature) VALUES (${key}, ${signature})
    ON CONFLICT DO NOTHING RETURNING signature`.execute(db);
  return r.rows.length === 1;
}

export function mountHubSpotWebhooks(app: Express, deps: WebhookRouteDeps): void {
  const verify = hubspotSignature({
    secrets: deps.clientSecrets,
    publicOrigin: deps.publicOrigin,
    now: () => deps.now().getTime(),
    onFailure: (req, reason) => deps.log?.warn({ path: req.path, reason }, 'HubSpot webhook refused'),
  });
  app.post(WEBHOOK_PATH, verify, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const parsed = hubspotEventsSchema.safeParse(req.body);
      if (!parsed.success)
        throw invalid(fieldErrors(parsed.error, 'body'), 'The webhook body is not an array of HubSpot events.');
      const events = parsed.data;
      const portal = String(events[0]!.portalId);
      if (!(await firstTimeSeen(deps.db, `portal:${portal}`, req.get(SIGNATURE_HEADER)!))) {
        deps.log?.warn({ portalId: portal }, 'HubSpot webhook replayed');
        throw unauthorized('This request was already received (replay).');
      }
      const tenants = new Map<string, string | undefined>();
      const touched = new Set<string>();
      let unknownPortal = 0;
      for (const e of events) {
        const key = String(e.portalId);
        if (!tenants.has(key)) tenants.set(key, await findTenantByCrmAccount(deps.db, 'hubspot', key));
        const tenantId = tenants.get(key);
        if (!tenantId) {
          unknownPortal++;
          continue;
        }
        await acceptWebhook(deps.db, tenantId, 'hubspot', eventKey(e), e satisfies HubSpotEvent);
        touched.add(tenantId);
      }
      // 2xx even for portals we do not know (uninstalled): HubSpot would otherwise retry for a day.
      res.status(204).end();
      if (unknownPortal > 0)
        deps.log?.warn({ events: unknownPortal }, 'HubSpot webhook events for portals without a tenant were ignored');
      for (const t of touched) deps.onEvents(t);
    } catch (error) {
      next(error);
    }
  });
}
