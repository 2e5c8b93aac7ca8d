import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HubSpotOAuth,
  OAuthTokenSource,
  scopesFor,
  type HubSpotTokens,
  type HubSpotTokenStore,
} from '../../server/crm/hubspot/index.js';
import { API, virtualClock } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const options = { clientId: 'cid', clientSecret: 'secret', redirectUri: 'https://attain.example/oauth/callback' };

describe('authorization URL', () => {
  it('asks for the required scopes and puts tier-dependent features in optional_scope', () => {
    const oauth = new HubSpotOAuth(options);
    const url = new URL(oauth.authorizationUrl({ goals: true, dealSplits: true }, 'state-123'));
    expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(url.searchParams.get('client_id')).toBe('cid');
    expect(url.searchParams.get('redirect_uri')).toBe(options.redirectUri);
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(scopesFor({}).scope);
    expect(url.searchParams.get('optional_scope')!.split(' ')).toEqual([
      'crm.objects.goals.read',
      'crm.dealsplits.read_write',
    ]);
    expect(url.searchParams.get('state')).toBe('state-123');
  });

  it('leaves optional_scope out when no optional feature is on, and can point at another authorize page', () => {
    const oauth = new HubSpotOAuth({ ...options, authorizeUrl: 'http://127.0.0.1:4010/oauth/authorize' });
    const url = new URL(oauth.authorizationUrl({}, 's'));
    expect(url.origin).toBe('http://127.0.0.1:4010');
    expect(url.searchParams.has('optional_scope')).toBe(false);
  });
});

describe('code exchange and token info', () => {
  it('exchanges the code (form-encoded) and takes the portal id from the access-token info', async () => {
    const clock = virtualClock(Date.parse('2026-10-01T08:00:00Z'));
    const scope = nock(API)
      .post('/oauth/v1/token', (body) => {
        return (
          body.grant_type === 'authorization_code' &&
          body.code === 'the-code' &&
          body.redirect_uri === options.redirectUri &&
          body.client_id === 'cid' &&
          body.client_secret === 'secret'
        );
      })
      .matchHeader('content-type', /application\/x-www-form-urlencoded/)
      .reply(200, { token_type: 'bearer', access_token: 'at-1', refresh_token: 'rt-1', expires_in: 1800 })
      .get('/oauth/v1/access-tokens/at-1')
      .reply(200, {
        token: 'at-1',
        hub_id: 4711,
        app_id: 31,
        user_id: 9001,
        scopes: ['oauth', 'crm.objects.deals.read'],
        expires_in: 1799,
        token_type: 'access',
      });
    const oauth = new HubSpotOAuth({ ...options, clock });
    const installed = await oauth.exchangeCode('the-code');
    expect(installed).toEqual({
      portalId: 4711,
      appId: 31,
      installerUserId: 9001,
      scopes: ['oauth', 'crm.objects.deals.read'],
      tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: '2026-10-01T08:30:00.000Z' },
    });
    scope.done();
  });

  it('reports a refused code with HubSpot’s message', async () => {
    const scope = nock(API)
      .post('/oauth/v1/token')
      .reply(400, { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' });
    const oauth = new HubSpotOAuth(options);
    await expect(oauth.exchangeCode('stale')).rejects.toMatchObject({
      kind: 'bad-request',
      message: 'exchanging the install code: missing or unknown auth code',
    });
    scope.done();
  });
});

describe('token refresh', () => {
  function memoryStore(initial: HubSpotTokens): HubSpotTokenStore & { saved: HubSpotTokens[] } {
    let current = initial;
    const saved: HubSpotTokens[] = [];
    return {
      saved,
      load: async () => current,
      save: async (_portal, tokens) => {
        current = tokens;
        saved.push(tokens);
      },
    };
  }

  it('uses the stored token while it has more than the margin left', async () => {
    const clock = virtualClock(Date.parse('2026-10-01T08:00:00Z'));
    const store = memoryStore({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: '2026-10-01T08:20:00.000Z' });
    const source = new OAuthTokenSource(4711, store, new HubSpotOAuth({ ...options, clock }), 5 * 60_000, clock);
    expect(await source.get()).toBe('at-1');
    expect(store.saved).toEqual([]);
  });

  it('refreshes ahead of expiry, once for concurrent callers, and saves the new tokens', async () => {
    const clock = virtualClock(Date.parse('2026-10-01T08:16:00Z'));
    const scope = nock(API)
      .post(
        '/oauth/v1/token',
        (body) =>
          body.grant_type === 'refresh_token' && body.refresh_token === 'rt-1' && body.client_secret === 'secret',
      )
      .once()
      .reply(200, { token_type: 'bearer', access_token: 'at-2', refresh_token: 'rt-1', expires_in: 1800 });
    const store = memoryStore({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: '2026-10-01T08:20:00.000Z' });
    const source = new OAuthTokenSource(4711, store, new HubSpotOAuth({ ...options, clock }), 5 * 60_000, clock);
    const tokens = await Promise.all([source.get(), source.get(), source.get()]);
    expect(tokens).toEqual(['at-2', 'at-2', 'at-2']);
    expect(store.saved).toEqual([{ accessToken: 'at-2', refreshToken: 'rt-1', expiresAt: '2026-10-01T08:46:00.000Z' }]);
    scope.done();
  });
});
