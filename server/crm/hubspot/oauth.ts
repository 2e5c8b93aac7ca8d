/**
 * HubSpot OAuth: the install URL with the least scopes the enabled features need, the code exchange, refresh
 * ahead of expiry, and the portal id from the access-token info. Tokens go to a store supplied by the store
 * layer (which encrypts them at rest); this module never persists anything itself.
 */
import { Client } from '@hubspot/api-client';
import { accessTokenInfoSchema, tokenResponseSchema } from './schemas.js';
import { HUBSPOT_API } from './client.js';
import { classify } from './errors.js';
import { systemClock, type Clock } from './limiter.js';

export interface HubSpotTokens {
  accessToken: string;
  refreshToken: string;
  /** ISO instant when the access token stops working. */
  expiresAt: string;
}

export interface InstalledPortal {
  portalId: number;
  appId: number | null;
  /** HubSpot user who installed the app. */
  installerUserId: number | null;
  scopes: string[];
  tokens: HubSpotTokens;
}

/** Implemented by the store: tokens are encrypted at rest there. */
export interface HubSpotTokenStore {
  load(portalId: number): Promise<HubSpotTokens | null>;
  save(portalId: number, tokens: HubSpotTokens): Promise<void>;
}

/** Optional capabilities map to optional scopes, so a Professional portal can still install. */
export interface ScopeFeatures {
  /** Read HubSpot goals as quotas. */
  goals?: boolean;
  /** Read deal splits (Sales Hub Enterprise). */
  dealSplits?: boolean;
  /** Write attainment records to a custom object (Enterprise). */
  customObjects?: boolean;
}

const REQUIRED_SCOPES = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.deals.write', // write-back of result properties
  'crm.objects.owners.read',
  'crm.objects.contacts.read', // deal → contact associations for the contact card
  'crm.schemas.deals.write', // create the Attain deal properties
];

export function scopesFor(features: ScopeFeatures): { scope: string[]; optionalScope: string[] } {
  const optionalScope: string[] = [];
  if (features.goals) optionalScope.push('crm.objects.goals.read');
  if (features.dealSplits) optionalScope.push('crm.dealsplits.read_write');
  if (features.customObjects)
    optionalScope.push('crm.objects.custom.read', 'crm.objects.custom.write', 'crm.schemas.custom.read');
  return { scope: [...REQUIRED_SCOPES], optionalScope };
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** API origin (tests and the sandbox point it elsewhere). */
  basePath?: string;
  /** Where users authorize; HubSpot's is https://app.hubspot.com/oauth/authorize. */
  authorizeUrl?: string;
  clock?: Clock;
}

export class HubSpotOAuth {
  private readonly api;
  private readonly clock: Clock;

  constructor(private readonly options: OAuthOptions) {
    const client = new Client({ basePath: options.basePath ?? HUBSPOT_API, numberOfApiCallRetries: 1 });
    this.api = client.oauth;
    this.clock = options.clock ?? systemClock;
  }

  authorizationUrl(features: ScopeFeatures, state: string): string {
    const { scope, optionalScope } = scopesFor(features);
    const url = new URL(
      this.api.getAuthorizationUrl(
        this.options.clientId,
        this.options.redirectUri,
        scope.join(' '),
        optionalScope.length > 0 ? optionalScope.join(' ') : undefined,
        state,
      ),
    );
    if (this.options.authorizeUrl) {
      const target = new URL(this.options.authorizeUrl);
      target.search = url.search;
      return target.toString();
    }
    return url.toString();
  }

  /** Exchanges the install callback's code; the portal id comes from HubSpot, never from the callback URL. */
  async exchangeCode(code: string): Promise<InstalledPortal> {
    const tokens = await this.tokenRequest('authorization_code', { code });
    const info = await this.tokenInfo(tokens.accessToken);
    return {
      portalId: info.hubId,
      appId: info.appId ?? null,
      installerUserId: info.userId ?? null,
      scopes: info.scopes,
      tokens,
    };
  }

  async refresh(refreshToken: string): Promise<HubSpotTokens> {
    return this.tokenRequest('refresh_token', { refreshToken });
  }

  async tokenInfo(accessToken: string) {
    try {
      return accessTokenInfoSchema.parse(await this.api.accessTokensApi.get(accessToken));
    } catch (e) {
      throw classifyOrRethrow(e, this.clock.now(), 'reading access-token info');
    }
  }

  private async tokenRequest(
    grant: 'authorization_code' | 'refresh_token',
    args: { code?: string; refreshToken?: string },
  ): Promise<HubSpotTokens> {
    const { clientId, clientSecret, redirectUri } = this.options;
    const requestedAt = this.clock.now();
    try {
      const raw =
        grant === 'authorization_code'
          ? await this.api.tokensApi.create(grant, args.code, redirectUri, clientId, clientSecret)
          : await this.api.tokensApi.create(grant, undefined, undefined, clientId, clientSecret, args.refreshToken);
      const t = tokenResponseSchema.parse(raw);
      // Count expiry from when we asked, not when the answer came: never later than HubSpot's own clock.
      return {
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
        expiresAt: new Date(requestedAt + t.expiresIn * 1000).toISOString(),
      };
    } catch (e) {
      throw classifyOrRethrow(
        e,
        this.clock.now(),
        grant === 'authorization_code' ? 'exchanging the install code' : 'refreshing the access token',
      );
    }
  }
}

function classifyOrRethrow(e: unknown, now: number, what: string): Error {
  if (e instanceof Error && e.name === 'ZodError')
    return new Error(`[Attain] HubSpot's answer when ${what} has an unexpected shape: ${e.message}`);
  const error = classify(e, now);
  error.message = `${what}: ${error.message}`;
  return error;
}

/**
 * Access tokens of one installed portal: refreshed ahead of expiry (HubSpot says a 401 is not the signal to
 * refresh), one refresh at a time however many requests ask at once, and saved through the store.
 */
export class OAuthTokenSource {
  private inflight: Promise<HubSpotTokens> | null = null;

  constructor(
    private readonly portalId: number,
    private readonly store: HubSpotTokenStore,
    private readonly oauth: Pick<HubSpotOAuth, 'refresh'>,
    private readonly refreshAheadMs = 5 * 60_000,
    private readonly clock: Clock = systemClock,
  ) {}

  readonly get = async (): Promise<string> => {
    const current = await this.store.load(this.portalId);
    if (!current)
      throw new Error(`[Attain] no HubSpot tokens for portal ${this.portalId}; the app must be installed again`);
    if (Date.parse(current.expiresAt) - this.clock.now() > this.refreshAheadMs) return current.accessToken;
    this.inflight ??= this.oauth
      .refresh(current.refreshToken)
      .then(async (fresh) => {
        await this.store.save(this.portalId, fresh);
        return fresh;
      })
      .finally(() => {
        this.inflight = null;
      });
    return (await this.inflight).accessToken;
  };
}

/** Single-portal mode: a private app's static access token. */
export function staticToken(accessToken: string): () => Promise<string> {
  return async () => accessToken;
}
