/**
 * Tenant ↔ portal lifecycle: one tenant per HubSpot portal (hubId), tokens kept encrypted in the store's
 * crm_connections, refresh ahead of expiry, uninstall, and a single-portal mode with a private app's static
 * token. The portal id always comes from HubSpot (token info or account details), never from a URL parameter.
 */
import { createHash } from 'node:crypto';
import {
  getCrmConnection,
  saveCrmConnection,
  findTenantByCrmAccount,
  getTenant,
  upsertTenant,
  type Db,
} from '../../store/index.js';
import type { TokenCipher } from '../../security/token-cipher.js';
import { HubSpotConnector, type HubSpotConnectorOptions } from './connector.js';
import { HubSpotOAuth, OAuthTokenSource, type HubSpotTokens, type HubSpotTokenStore } from './oauth.js';
import type { AccessTokenSource } from './client.js';
import type { ProvisioningReport } from '../port.js';

export interface InstallDeps {
  db: Db;
  cipher: TokenCipher;
  now: () => Date;
}

export type ConnectionMode = 'oauth' | 'static';

/**
 * The key of a portal's shared request budget. A static token belongs to one private app in one portal, and
 * the portal id is unknown until the first call, so static connections are keyed by the token's hash.
 */
export function budgetKeyFor(connection: {
  mode: ConnectionMode;
  portalId: number | null;
  accessToken?: string;
}): string {
  if (connection.mode === 'static' && connection.accessToken !== undefined)
    return `static:${createHash('sha256').update(connection.accessToken).digest('hex').slice(0, 16)}`;
  return String(connection.portalId);
}

export function tenantIdForPortal(portalId: number | string): string {
  return `hubspot-${portalId}`;
}

/** Token store over crm_connections for one tenant (the cipher encrypts on the way in, decrypts on the way out). */
export function connectionTokenStore(deps: InstallDeps, tenantId: string): HubSpotTokenStore {
  return {
    async load() {
      const c = await getCrmConnection(deps.db, deps.cipher, tenantId, 'hubspot');
      if (!c || c.status !== 'connected' || c.refreshToken === null || c.expiresAt === null) return null;
      return { accessToken: c.accessToken, refreshToken: c.refreshToken, expiresAt: c.expiresAt.toISOString() };
    },
    async save(portalId, tokens) {
      const c = await getCrmConnection(deps.db, deps.cipher, tenantId, 'hubspot');
      await saveCrmConnection(
        deps.db,
        deps.cipher,
        tenantId,
        {
          provider: 'hubspot',
          accountId: String(portalId),
          instanceUrl: c?.instanceUrl ?? null,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresAt: new Date(tokens.expiresAt),
          scopes: c?.scopes ?? [],
          status: 'connected',
        },
        deps.now(),
      );
    },
  };
}

async function ensureTenant(db: Db, tenantId: string, portalId: number, currency: string | null): Promise<void> {
  const existing = await getTenant(db, tenantId);
  if (existing) return;
  await upsertTenant(db, {
    id: tenantId,
    name: `HubSpot portal ${portalId}`,
    currency: currency ?? 'DKK',
    fiscalYearStartMonth: 1,
  });
}

export interface InstallResult {
  tenantId: string;
  portalId: number;
  mode: ConnectionMode;
  scopes: string[];
}

/** OAuth callback: code → tokens → portal id from the token info → tenant → encrypted connection. */
export async function completeOAuthInstall(
  deps: InstallDeps,
  oauth: HubSpotOAuth,
  code: string,
): Promise<InstallResult> {
  const installed = await oauth.exchangeCode(code);
  const tenantId =
    (await findTenantByCrmAccount(deps.db, 'hubspot', String(installed.portalId))) ??
    tenantIdForPortal(installed.portalId);
  await ensureTenant(deps.db, tenantId, installed.portalId, null);
  await saveConnection(deps, tenantId, installed.portalId, installed.tokens, installed.scopes, null);
  return { tenantId, portalId: installed.portalId, mode: 'oauth', scopes: installed.scopes };
}

/** Single-portal mode: a private app's access token; the portal id and currency come from account details. */
export async function connectStaticToken(
  deps: InstallDeps,
  accessToken: string,
  connectorOptions: Omit<HubSpotConnectorOptions, 'portalKey' | 'accessToken'> = {},
  tenantId?: string,
): Promise<InstallResult> {
  const probe = new HubSpotConnector({
    ...connectorOptions,
    portalKey: budgetKeyFor({ mode: 'static', portalId: null, accessToken }),
    accessToken: async () => accessToken,
  });
  const account = await probe.accountDetails();
  const id =
    tenantId ??
    (await findTenantByCrmAccount(deps.db, 'hubspot', String(account.portalId))) ??
    tenantIdForPortal(account.portalId);
  await ensureTenant(deps.db, id, account.portalId, account.companyCurrency);
  await saveCrmConnection(
    deps.db,
    deps.cipher,
    id,
    {
      provider: 'hubspot',
      accountId: String(account.portalId),
      instanceUrl: connectorOptions.basePath ?? null,
      accessToken,
      refreshToken: null,
      expiresAt: null,
      scopes: [],
      status: 'connected',
    },
    deps.now(),
  );
  return { tenantId: id, portalId: account.portalId, mode: 'static', scopes: [] };
}

async function saveConnection(
  deps: InstallDeps,
  tenantId: string,
  portalId: number,
  tokens: HubSpotTokens,
  scopes: string[],
  instanceUrl: string | null,
) {
  await saveCrmConnection(
    deps.db,
    deps.cipher,
    tenantId,
    {
      provider: 'hubspot',
      accountId: String(portalId),
      instanceUrl,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(tokens.expiresAt),
      scopes,
      status: 'connected',
    },
    deps.now(),
  );
}

/**
 * Uninstall: tokens are overwritten (the column cannot be null, so with an empty encrypted value) and the
 * connection marked; synced data stays for the statements already issued.
 */
export async function uninstall(deps: InstallDeps, tenantId: string): Promise<boolean> {
  const c = await getCrmConnection(deps.db, deps.cipher, tenantId, 'hubspot');
  if (!c) return false;
  await saveCrmConnection(
    deps.db,
    deps.cipher,
    tenantId,
    { ...c, accessToken: '', refreshToken: null, expiresAt: null, status: 'uninstalled' },
    deps.now(),
  );
  return true;
}

export interface TenantConnection {
  tenantId: string;
  portalId: number;
  mode: ConnectionMode;
  accessToken: AccessTokenSource;
  /** API origin when it is not HubSpot's (the sandbox). */
  basePath: string | null;
  budgetKey: string;
}

/** The access-token source of a connected tenant: static tokens as stored, OAuth tokens refreshed ahead of expiry. */
export async function tenantConnection(
  deps: InstallDeps,
  tenantId: string,
  oauth: Pick<HubSpotOAuth, 'refresh'> | null,
): Promise<TenantConnection> {
  const c = await getCrmConnection(deps.db, deps.cipher, tenantId, 'hubspot');
  if (!c || c.status !== 'connected')
    throw new Error(`[Attain] tenant ${tenantId} has no connected HubSpot portal; install the app again`);
  const portalId = Number(c.accountId);
  if (c.refreshToken === null) {
    const token = c.accessToken;
    return {
      tenantId,
      portalId,
      mode: 'static',
      accessToken: async () => token,
      basePath: c.instanceUrl,
      budgetKey: budgetKeyFor({ mode: 'static', portalId, accessToken: token }),
    };
  }
  if (!oauth)
    throw new Error(
      `[Attain] tenant ${tenantId} is connected by OAuth but HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET are not configured`,
    );
  const source = new OAuthTokenSource(portalId, connectionTokenStore(deps, tenantId), oauth, 5 * 60_000, {
    now: () => deps.now().getTime(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  });
  return {
    tenantId,
    portalId,
    mode: 'oauth',
    accessToken: source.get,
    basePath: c.instanceUrl,
    budgetKey: String(portalId),
  };
}

/** A connector for a connected tenant; its budget key selects the process-wide budget shared by sync and write-back. */
export async function connectorForTenant(
  deps: InstallDeps,
  tenantId: string,
  oauth: Pick<HubSpotOAuth, 'refresh'> | null,
  options: Omit<HubSpotConnectorOptions, 'portalKey' | 'accessToken'> = {},
): Promise<HubSpotConnector> {
  const c = await tenantConnection(deps, tenantId, oauth);
  return new HubSpotConnector({
    ...(c.basePath ? { basePath: c.basePath } : {}),
    ...options,
    portalKey: c.budgetKey,
    accessToken: c.accessToken,
  });
}

/** Provisioning right after install: the Attain property group and deal properties, idempotent. */
export async function provision(connector: Pick<HubSpotConnector, 'ensureProperties'>): Promise<ProvisioningReport> {
  return connector.ensureProperties();
}
