export { HubSpotConnector, BATCH_LIMIT, SEARCH_PAGE_LIMIT, type HubSpotConnectorOptions } from './connector.js';
export {
  HubSpotOAuth,
  OAuthTokenSource,
  scopesFor,
  staticToken,
  type HubSpotTokenStore,
  type HubSpotTokens,
  type InstalledPortal,
  type ScopeFeatures,
} from './oauth.js';
export { HubSpotError, type FailureKind } from './errors.js';
export {
  DEFAULT_PORTAL_LIMITS,
  PortalBudgets,
  processPortalBudgets,
  RollingWindowLimiter,
  type PortalLimits,
} from './limiter.js';
export { DEFAULT_RETRY, type RetryEvent, type RetryPolicy } from './caller.js';
export { ATTAIN_DEAL_PROPERTIES, ATTAIN_GROUP } from './properties.js';
