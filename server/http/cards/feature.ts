/**
 * Registers the HubSpot card and settings APIs on the root app (not under /api/v1: these are authenticated by
 * HubSpot's request signature, not by API tokens, and need the raw body). See docs/hubspot-app.md.
 *
 * The app client secret comes from HUBSPOT_CLIENT_SECRET (and HUBSPOT_CLIENT_SECRET_PREVIOUS during a rotation),
 * read once when the app is built; HUBSPOT_APP_ID, when set, must match the signed `appId`.
 */
import { estimate } from '../../../src/engine/index.js';
import { CALENDAR_YEAR, periodContaining } from '../../../src/time/index.js';
import type { Feature } from '../../app.js';
import { parseEnv } from '../../config.js';
import { cardRouter } from './routes.js';
import { settingsRouter } from './settings-routes.js';
import { storeCardData, type DealEstimator } from './store-card-data.js';

/** The engine's estimate; the period only tells it the period kind (plans measure quarters). */
export const engineEstimator: DealEstimator = ({ plans, data, dealId, whatIf, asOf }) =>
  estimate(
    { plans, data, asOf, periodId: periodContaining(asOf, 'quarter', plans[0]?.calendar ?? CALENDAR_YEAR).id },
    dealId,
    whatIf ?? undefined,
  );

export const hubspotCardsFeature: Feature = ({ app, deps }) => {
  const env = parseEnv(process.env);
  const secrets = [env.HUBSPOT_CLIENT_SECRET, process.env.HUBSPOT_CLIENT_SECRET_PREVIOUS?.trim()].filter(
    (s): s is string => !!s,
  );
  const options = {
    db: deps.store.db,
    data: storeCardData(deps.store.db, engineEstimator),
    now: deps.now,
    publicOrigin: deps.publicBaseUrl ?? env.PUBLIC_BASE_URL,
    clientSecrets: () => secrets,
    appId: () => env.HUBSPOT_APP_ID,
    onSignatureFailure: (req: { log?: { warn: (o: object, m: string) => void } }, reason: string) =>
      req.log?.warn({ reason }, 'hubspot signature rejected'),
  };
  app.use('/hubspot/cards', cardRouter(options));
  app.use('/hubspot/settings', settingsRouter({ ...options, recalc: deps.recalc }));
};
