/**
 * A local HubSpot: the subset of the API Attain uses, with HubSpot's shapes, limits, 429 bodies and
 * headers, OAuth, webhook delivery, and switchable faults. Every API request passes, in order:
 * bearer auth → daily limit → rolling 10-second limit per app → per-second search limit → latency → fault
 * draw → the endpoint. The call log records each one so tests can prove a client stayed inside the budget.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { FaultInjector, faultConfigSchema, type FaultConfigInput } from './faults.js';
import {
  callStats,
  RollingCounter,
  sandboxLimitsSchema,
  type CallRecord,
  type CallStats,
  type SandboxLimits,
  type SandboxLimitsInput,
} from './limits.js';
import {
  SandboxPortal,
  SandboxValidationError,
  type ObjectType,
  type SandboxObject,
  type SandboxProperty,
  type TokenRecord,
} from './portal.js';
import type { CustomSchema } from './custom-objects.js';
import { emptyScenario, type HubSpotScenario } from './scenario.js';
import { searchRequestSchema } from './search.js';
import { WebhookDispatcher, type WebhookSubscription } from './webhooks.js';

export interface SandboxAppOptions {
  clientId?: string;
  clientSecret?: string;
  appId?: number;
  /** The private app behind the static access token (single-portal mode). */
  privateAppId?: number;
}

export interface HubSpotSandboxOptions {
  port?: number;
  host?: string;
  scenario?: HubSpotScenario;
  limits?: SandboxLimitsInput;
  faults?: FaultConfigInput;
  app?: SandboxAppOptions;
  /** The static private-app token; a random one when omitted. */
  accessToken?: string;
  webhooks?: {
    targetUrl?: string | null;
    subscriptions?: WebhookSubscription[];
    batchDelayMs?: number;
    retryDelaysMs?: number[];
  };
  now?: () => number;
}

export interface HubSpotSandbox {
  url: string;
  port: number;
  /** The portal's data, to inspect or change directly in tests. */
  state: SandboxPortal;
  /** A static private-app token (never expires). */
  accessToken: string;
  app: Required<SandboxAppOptions>;
  limits: SandboxLimits;
  faults: FaultInjector;
  calls: CallRecord[];
  stats(): CallStats;
  resetCalls(): void;
  webhooks: WebhookDispatcher;
  /** What HubSpot's consent screen would hand the redirect URI. */
  issueAuthorizationCode(redirectUri: string, scopes?: string[]): string;
  close(): Promise<void>;
}

type Locals = { token: TokenRecord; call: CallRecord };

const OBJECT_TYPES: Record<string, ObjectType> = {
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  goal_targets: 'goal_targets',
  '0-74': 'goal_targets',
  contacts: 'contacts',
  '0-1': 'contacts',
};

const PROPERTY_TYPES: Record<string, string[]> = {
  number: ['number', 'calculation_equation'],
  string: ['text', 'textarea', 'file', 'html', 'phonenumber'],
  datetime: ['date'],
  date: ['date'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
  bool: ['booleancheckbox'],
};

const propertyCreateSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must start with a letter and hold only lowercase letters, digits and underscores'),
  label: z.string().min(1),
  type: z.enum(Object.keys(PROPERTY_TYPES) as [string, ...string[]]),
  fieldType: z.string(),
  groupName: z.string().min(1),
  description: z.string().default(''),
  options: z
    .array(
      z.object({
        label: z.string(),
        value: z.string(),
        displayOrder: z.number().default(0),
        hidden: z.boolean().default(false),
      }),
    )
    .default([]),
  displayOrder: z.number().default(-1),
  formField: z.boolean().default(false),
  showCurrencySymbol: z.boolean().optional(),
});

const groupSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  displayOrder: z.number().default(-1),
});

const idInputs = z.object({ inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })) });

export async function startHubSpotSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  const now = options.now ?? Date.now;
  const limits = sandboxLimitsSchema.parse(options.limits ?? {});
  const app = {
    clientId: options.app?.clientId ?? 'sandbox-client-id',
    clientSecret: options.app?.clientSecret ?? 'sandbox-client-secret',
    appId: options.app?.appId ?? 3_100_001,
    privateAppId: options.app?.privateAppId ?? 3_100_002,
  };
  const portal = new SandboxPortal(options.scenario ?? emptyScenario(), now);
  const faults = new FaultInjector(options.faults ?? {});
  const staticToken = portal.issueToken(
    app.privateAppId,
    [
      'crm.objects.deals.read',
      'crm.objects.deals.write',
      'crm.objects.owners.read',
      'crm.objects.contacts.read',
      'crm.schemas.deals.write',
      'crm.objects.goals.read',
      'crm.dealsplits.read_write',
    ],
    null,
    options.accessToken,
  );
  const webhooks = new WebhookDispatcher({
    targetUrl: options.webhooks?.targetUrl ?? null,
    clientSecret: app.clientSecret,
    portalId: portal.portalId,
    appId: app.appId,
    ...(options.webhooks?.subscriptions ? { subscriptions: options.webhooks.subscriptions } : {}),
    ...(options.webhooks?.batchDelayMs !== undefined ? { batchDelayMs: options.webhooks.batchDelayMs } : {}),
    ...(options.webhooks?.retryDelaysMs ? { retryDelaysMs: options.webhooks.retryDelaysMs } : {}),
    now,
  });
  portal.onChange((e) => webhooks.record(e));

  const calls: CallRecord[] = [];
  const rolling = new Map<number, RollingCounter>();
  const secondly = new Map<string, RollingCounter>();
  const daily = { day: '', count: 0 };
  const authCodes = new Map<string, { redirectUri: string; scopes: string[] }>();
  const refreshTokens = new Map<string, string[]>();
  const hanging = new Set<NodeJS.Timeout>();

  const fail = (
    res: Response,
    status: number,
    message: string,
    category: string,
    extra: Record<string, unknown> = {},
  ) => res.status(status).json({ status: 'error', message, correlationId: portal.correlationId(), category, ...extra });

  /** Retry-After (whole seconds) is sent when the sandbox knows when the window frees up. */
  const rateLimited = (res: Response, message: string, policyName: string, retryAfterMs: number | null) => {
    if (retryAfterMs !== null) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    return res
      .status(429)
      .json({ status: 'error', message, errorType: 'RATE_LIMIT', correlationId: portal.correlationId(), policyName });
  };

  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?')[0]!;
    const call: CallRecord = {
      at: now(),
      method: req.method,
      path,
      appId: null,
      counted: false,
      outcome: 'ok',
      status: null,
    };
    calls.push(call);
    res.on('finish', () => {
      call.status = res.statusCode;
      if (call.outcome === 'ok' && res.statusCode >= 400) call.outcome = 'error';
    });
    const header = req.get('authorization') ?? '';
    const token = portal.tokens.get(header.replace(/^Bearer\s+/i, ''));
    if (!token) {
      call.outcome = 'unauthorized';
      return fail(
        res,
        401,
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
        'INVALID_AUTHENTICATION',
      );
    }
    if (token.expiresAt !== null && token.expiresAt <= now()) {
      call.outcome = 'unauthorized';
      return fail(
        res,
        401,
        `The OAuth token used to make this call expired ${Math.round((now() - token.expiresAt) / 1000)} second(s) ago.`,
        'EXPIRED_AUTHENTICATION',
      );
    }
    call.appId = token.appId;
    const today = new Date(now()).toISOString().slice(0, 10);
    if (daily.day !== today) Object.assign(daily, { day: today, count: 0 });
    if (limits.dailyLimit !== null && daily.count >= limits.dailyLimit) {
      call.outcome = 'daily-limited';
      return rateLimited(
        res,
        'You have reached your daily limit.',
        'DAILY',
        Date.parse(`${today}T00:00:00Z`) + 86_400_000 - now(),
      );
    }
    let window = rolling.get(token.appId);
    if (!window) rolling.set(token.appId, (window = new RollingCounter(limits.requestsPerInterval, limits.intervalMs)));
    const slot = window.take(now());
    res.setHeader('X-HubSpot-RateLimit-Max', String(limits.requestsPerInterval));
    res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', String(limits.intervalMs));
    res.setHeader('X-HubSpot-RateLimit-Remaining', String(slot.ok ? slot.remaining : 0));
    if (token.expiresAt === null && limits.dailyLimit !== null) {
      res.setHeader('X-HubSpot-RateLimit-Daily', String(limits.dailyLimit));
      res.setHeader('X-HubSpot-RateLimit-Daily-Remaining', String(Math.max(0, limits.dailyLimit - daily.count - 1)));
    }
    if (!slot.ok) {
      call.outcome = 'rate-limited';
      return rateLimited(
        res,
        'You have reached your ten_secondly_rolling limit.',
        'TEN_SECONDLY_ROLLING',
        slot.retryAfterMs,
      );
    }
    call.counted = true;
    daily.count++;
    if (req.method === 'POST' && path.endsWith('/search')) {
      let perSecond = secondly.get(token.token);
      if (!perSecond) secondly.set(token.token, (perSecond = new RollingCounter(limits.searchesPerSecond, 1_000)));
      const s = perSecond.take(now());
      if (!s.ok) {
        call.outcome = 'search-rate-limited';
        return rateLimited(res, 'You have reached your secondly limit.', 'SECONDLY', s.retryAfterMs);
      }
    }
    const latency = faults.latency();
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    switch (faults.draw()) {
      case 'reset':
        call.outcome = 'fault-reset';
        req.socket.destroy();
        return;
      case 'timeout': {
        call.outcome = 'fault-timeout';
        const timer = setTimeout(() => {
          hanging.delete(timer);
          req.socket.destroy();
        }, faults.current.hangMs);
        hanging.add(timer);
        return;
      }
      case '429':
        call.outcome = 'fault-429';
        // An injected 429 stands for budget spent elsewhere (another integration of the app): no Retry-After.
        return rateLimited(res, 'You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING', null);
      case '5xx':
        call.outcome = 'fault-5xx';
        return fail(res, 502, 'Bad Gateway (injected fault)', 'INTERNAL_ERROR');
    }
    (res.locals as Locals).token = token;
    (res.locals as Locals).call = call;
    next();
  };

  const objectType = (req: Request, res: Response): ObjectType | null => {
    const t = OBJECT_TYPES[String(req.params['objectType'] ?? 'deals')];
    if (!t) fail(res, 400, `Unable to infer object type from: ${String(req.params['objectType'])}`, 'VALIDATION_ERROR');
    return t ?? null;
  };

  const iso = (ms: number) => new Date(ms).toISOString();
  const pickProperties = (o: SandboxObject, names: readonly string[] | undefined, defaults: readonly string[]) => {
    const wanted = new Set([
      ...(names && names.length > 0 ? names : defaults),
      'hs_object_id',
      'createdate',
      'hs_lastmodifieddate',
    ]);
    const out: Record<string, string | null> = {};
    for (const n of wanted) out[n] = o.properties[n] ?? null;
    return out;
  };
  const asObject = (o: SandboxObject, names: readonly string[] | undefined, defaults: readonly string[]) => ({
    id: o.id,
    properties: pickProperties(o, names, defaults),
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    archived: false,
  });
  const DEAL_DEFAULTS = ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage'];
  const batchEnvelope = (startedAt: number, results: unknown[], errors: unknown[]) => ({
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    startedAt: iso(startedAt),
    completedAt: iso(now()),
  });
  /** A batch answer: 207 Multi-Status as soon as one input failed. */
  const sendBatch = (res: Response, startedAt: number, results: unknown[], errors: unknown[]) =>
    res.status(errors.length > 0 ? 207 : 200).json(batchEnvelope(startedAt, results, errors));
  /** HubSpot's one error entry for the ids of a batch it could not find, or none. */
  const notFoundErrors = (ids: string[], message: string) =>
    ids.length > 0 ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message, context: { ids } }] : [];
  const tooMany = (res: Response, n: number) =>
    fail(res, 400, `Too many inputs: ${n}. The maximum batch size is ${limits.batchMax}.`, 'VALIDATION_ERROR');
  const badBody = (res: Response, error: z.ZodError) =>
    fail(
      res,
      400,
      `Invalid input JSON: ${error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      'VALIDATION_ERROR',
    );

  const ownerJson = (o: HubSpotScenario['owners'][number]) => ({
    id: o.id,
    email: o.email,
    type: 'PERSON',
    firstName: o.firstName,
    lastName: o.lastName,
    userId: o.userId,
    userIdIncludingInactive: o.userId,
    createdAt: '2024-01-02T09:00:00.000Z',
    updatedAt: '2024-01-02T09:00:00.000Z',
    archived: o.archived ?? false,
    teams: o.teamIds.map((id, i) => ({ id, name: portal.teams.get(id)?.name ?? id, primary: i === 0 })),
  });

  const propertyJson = (p: SandboxProperty) => ({
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    description: p.description,
    groupName: p.groupName,
    options: p.options,
    displayOrder: p.displayOrder,
    calculated: p.calculated,
    externalOptions: false,
    hasUniqueValue: false,
    hidden: false,
    hubspotDefined: p.hubspotDefined,
    ...(p.showCurrencySymbol !== undefined ? { showCurrencySymbol: p.showCurrencySymbol } : {}),
    modificationMetadata: {
      archivable: !p.hubspotDefined,
      readOnlyDefinition: p.hubspotDefined,
      readOnlyValue: p.readOnlyValue,
    },
    formField: p.formField,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    archived: p.archived,
  });

  const server = express();
  server.disable('x-powered-by');
  server.use(express.json({ limit: '10mb' }));
  server.use(express.urlencoded({ extended: false }));

  // ---- OAuth (not counted against the API budget) ----
  server.get('/oauth/authorize', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    if (q['client_id'] !== app.clientId) return res.status(400).send('Unknown client_id');
    if (!q['redirect_uri']) return res.status(400).send('redirect_uri is required');
    const code = issueCode(
      q['redirect_uri'],
      `${q['scope'] ?? ''} ${q['optional_scope'] ?? ''}`.split(/[\s+]+/).filter(Boolean),
    );
    const target = new URL(q['redirect_uri']);
    target.searchParams.set('code', code);
    if (q['state']) target.searchParams.set('state', q['state']);
    res.redirect(302, target.toString());
  });

  function issueCode(redirectUri: string, scopes: string[] = staticToken.scopes): string {
    const code = `code-${randomBytes(8).toString('hex')}`;
    authCodes.set(code, { redirectUri, scopes });
    return code;
  }

  server.post('/oauth/v1/token', (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const oauthError = (status: string, message: string) =>
      res.status(400).json({ status, message, correlationId: portal.correlationId() });
    if (body['client_id'] !== app.clientId) return oauthError('BAD_CLIENT_ID', 'missing or invalid client_id');
    if (body['client_secret'] !== app.clientSecret)
      return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client_secret');
    let scopes: string[];
    if (body['grant_type'] === 'authorization_code') {
      const code = authCodes.get(body['code'] ?? '');
      if (!code) return oauthError('BAD_AUTH_CODE', 'missing or unknown auth code');
      if (code.redirectUri !== body['redirect_uri'])
        return oauthError('BAD_REDIRECT_URI', 'redirect_uri does not match the one used to authorize');
      authCodes.delete(body['code']!);
      scopes = code.scopes;
    } else if (body['grant_type'] === 'refresh_token') {
      const known = refreshTokens.get(body['refresh_token'] ?? '');
      if (!known) return oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
      scopes = known;
    } else {
      return oauthError('BAD_GRANT_TYPE', 'grant_type must be authorization_code or refresh_token');
    }
    const access = portal.issueToken(app.appId, scopes, limits.accessTokenTtlSeconds);
    // HubSpot keeps the refresh token stable across refreshes.
    const refresh =
      body['grant_type'] === 'refresh_token' ? body['refresh_token']! : `rt-sandbox-${randomBytes(12).toString('hex')}`;
    refreshTokens.set(refresh, scopes);
    res.json({
      token_type: 'bearer',
      refresh_token: refresh,
      access_token: access.token,
      expires_in: limits.accessTokenTtlSeconds,
    });
  });

  server.get('/oauth/v1/access-tokens/:token', (req, res) => {
    const t = portal.tokens.get(req.params.token);
    if (!t || t.expiresAt === null || t.expiresAt <= now())
      return res
        .status(404)
        .json({ status: 'error', message: 'Token not found or expired', correlationId: portal.correlationId() });
    res.json({
      token: t.token,
      user: 'installer@attain-sandbox.example',
      hub_domain: 'attain-sandbox.example',
      scopes: t.scopes,
      hub_id: portal.portalId,
      app_id: t.appId,
      expires_in: Math.floor((t.expiresAt - now()) / 1000),
      user_id: t.userId,
      token_type: 'access',
    });
  });

  // ---- API (auth, limits, faults) ----
  const api = express.Router();
  api.use(['/crm', '/crm-object-schemas', '/account-info'], guard);

  api.get('/account-info/v3/details', (_req, res) => {
    res.json({
      portalId: portal.portalId,
      accountType: 'STANDARD',
      timeZone: portal.timeZone,
      companyCurrency: portal.companyCurrency,
      additionalCurrencies: portal.additionalCurrencies,
      utcOffset: '+01:00',
      utcOffsetMilliseconds: 3_600_000,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'eu1',
    });
  });

  api.get('/crm/v3/owners', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q['limit'] ? Number(q['limit']) : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > limits.ownersPageMax)
      return fail(res, 400, `limit must be between 1 and ${limits.ownersPageMax}`, 'VALIDATION_ERROR');
    const offset = q['after'] ? Number(q['after']) : 0;
    const archived = q['archived'] === 'true';
    const all = [...portal.owners.values()].filter(
      (o) => (o.archived ?? false) === archived && (!q['email'] || o.email === q['email']),
    );
    const page = all.slice(offset, offset + limit).map(ownerJson);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    res.json({
      results: page,
      ...(next ? { paging: { next: { after: next, link: `/crm/v3/owners?after=${next}` } } } : {}),
    });
  });

  api.get('/crm/v3/owners/:ownerId', (req, res) => {
    const o = portal.owners.get(req.params.ownerId);
    return o ? res.json(ownerJson(o)) : fail(res, 404, `Owner ${req.params.ownerId} not found`, 'OBJECT_NOT_FOUND');
  });

  const pipelineJson = (p: HubSpotScenario['pipelines'][number], i: number) => ({
    id: p.id,
    label: p.label,
    displayOrder: i,
    stages: p.stages.map((s, j) => ({
      id: s.id,
      label: s.label,
      displayOrder: j,
      metadata: { isClosed: String(s.isClosed), probability: s.probability },
      createdAt: '2024-01-02T09:00:00.000Z',
      updatedAt: '2024-01-02T09:00:00.000Z',
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
    createdAt: '2024-01-02T09:00:00.000Z',
    updatedAt: '2024-01-02T09:00:00.000Z',
    archived: false,
  });

  api.get('/crm/v3/pipelines/:objectType', (req, res) => {
    if (objectType(req, res) !== 'deals') return res.headersSent ? undefined : res.json({ results: [] });
    res.json({ results: portal.pipelines.map(pipelineJson) });
  });

  api.get('/crm/v3/pipelines/:objectType/:pipelineId', (req, res) => {
    const i = portal.pipelines.findIndex((p) => p.id === req.params.pipelineId);
    return i >= 0
      ? res.json(pipelineJson(portal.pipelines[i]!, i))
      : fail(res, 404, `Pipeline ${req.params.pipelineId} not found`, 'OBJECT_NOT_FOUND');
  });

  // ---- custom objects (Enterprise only): schemas and records of the created types ----
  const schemaPaths = ['/crm/v3/schemas', '/crm-object-schemas/v3/schemas'];
  const noCustomObjects = (res: Response) =>
    fail(res, 403, 'This portal does not have access to custom objects (Enterprise only).', 'MISSING_SCOPES');
  const schemaJson = (s: CustomSchema) => ({
    id: s.id,
    objectTypeId: s.objectTypeId,
    fullyQualifiedName: s.fullyQualifiedName,
    name: s.name,
    labels: s.labels,
    primaryDisplayProperty: s.primaryDisplayProperty ?? null,
    requiredProperties: s.requiredProperties,
    searchableProperties: s.searchableProperties ?? [],
    secondaryDisplayProperties: s.secondaryDisplayProperties ?? [],
    properties: s.properties.map((p, i) => ({
      ...p,
      hasUniqueValue: p.hasUniqueValue ?? false,
      groupName: `${s.name}_information`,
      displayOrder: i,
      calculated: false,
      hubspotDefined: false,
      archived: false,
      options: [],
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
    })),
    associations: [],
    archived: false,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  });
  const customSchemaBody = z.object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower case letters, digits and underscores'),
    labels: z.object({ singular: z.string().min(1), plural: z.string().min(1) }),
    primaryDisplayProperty: z.string().optional(),
    requiredProperties: z.array(z.string()),
    searchableProperties: z.array(z.string()).optional(),
    secondaryDisplayProperties: z.array(z.string()).optional(),
    properties: z
      .array(
        z.object({
          name: z.string().min(1),
          label: z.string().min(1),
          type: z.string(),
          fieldType: z.string(),
          hasUniqueValue: z.boolean().optional(),
          description: z.string().optional(),
        }),
      )
      .min(1),
    associatedObjects: z.array(z.string()),
  });

  api.get(schemaPaths, (_req, res) => {
    if (!portal.customObjects) return noCustomObjects(res);
    res.json({ results: [...portal.custom.schemas.values()].map(schemaJson) });
  });

  api.post(schemaPaths, (req, res) => {
    if (!portal.customObjects) return noCustomObjects(res);
    const parsed = customSchemaBody.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    try {
      res.status(201).json(schemaJson(portal.custom.createSchema(parsed.data)));
    } catch (e) {
      if (!(e instanceof SandboxValidationError)) throw e;
      return fail(res, e.category === 'OBJECT_ALREADY_EXISTS' ? 409 : 400, e.message, e.category);
    }
  });

  /** The custom schema a `/crm/v3/objects/{objectType}` path names; null hands the path to the standard routes. */
  const customType = (req: Request): CustomSchema | null =>
    OBJECT_TYPES[String(req.params['objectType'])] ? null : portal.custom.resolve(String(req.params['objectType']));
  const customObject = (o: SandboxObject, names: readonly string[] | undefined) => asObject(o, names, []);

  api.post('/crm/v3/objects/:objectType/batch/upsert', (req, res) => {
    if (!portal.customObjects) return noCustomObjects(res);
    const schema = customType(req);
    if (!schema)
      return fail(
        res,
        400,
        `Upsert is served for custom objects only, not ${req.params.objectType}`,
        'VALIDATION_ERROR',
      );
    const parsed = z
      .object({
        inputs: z.array(
          z.object({
            id: z.union([z.string(), z.number()]).transform(String),
            idProperty: z.string().min(1),
            properties: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
          }),
        ),
      })
      .safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (parsed.data.inputs.length > limits.batchMax) return tooMany(res, parsed.data.inputs.length);
    const startedAt = now();
    let outcome;
    try {
      outcome = portal.custom.upsert(schema, parsed.data.inputs);
    } catch (e) {
      if (e instanceof SandboxValidationError) return fail(res, 400, e.message, e.category);
      throw e;
    }
    const results = outcome.map(({ object, created }, i) => ({
      ...customObject(object, [parsed.data.inputs[i]!.idProperty, ...Object.keys(parsed.data.inputs[i]!.properties)]),
      new: created,
    }));
    sendBatch(res, startedAt, results, []);
  });

  api.post('/crm/v3/objects/:objectType/batch/read', (req, res, next) => {
    const schema = customType(req);
    if (!schema) return next();
    if (!portal.customObjects) return noCustomObjects(res);
    const parsed = idInputs
      .extend({ properties: z.array(z.string()).default([]), idProperty: z.string().optional() })
      .safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (parsed.data.inputs.length > limits.batchMax) return tooMany(res, parsed.data.inputs.length);
    const startedAt = now();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of parsed.data.inputs) {
      const o = portal.custom.findBy(schema, parsed.data.idProperty, id);
      if (o) results.push(customObject(o, parsed.data.properties));
      else missing.push(id);
    }
    const message = `Could not get some ${schema.name} objects, they may be deleted or not exist.`;
    sendBatch(res, startedAt, results, notFoundErrors(missing, message));
  });

  api.post('/crm/v3/objects/:objectType/search', (req, res, next) => {
    const schema = customType(req);
    if (!schema) return next();
    if (!portal.customObjects) return noCustomObjects(res);
    // Equality filters (OR of ANDs), sorted by record id: what reading our own records back needs.
    const parsed = z
      .object({
        filterGroups: z
          .array(
            z.object({
              filters: z.array(z.object({ propertyName: z.string(), operator: z.literal('EQ'), value: z.string() })),
            }),
          )
          .max(5)
          .default([]),
        properties: z.array(z.string()).default([]),
        limit: z.number().int().min(1).max(limits.searchPageMax).default(10),
        after: z.union([z.string(), z.number()]).transform(Number).default(0),
      })
      .safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    const { filterGroups, properties, limit, after } = parsed.data;
    const all = [...portal.custom.records.get(schema.objectTypeId)!.values()]
      .filter(
        (o) =>
          filterGroups.length === 0 ||
          filterGroups.some((g) => g.filters.every((f) => o.properties[f.propertyName] === f.value)),
      )
      .sort((a, b) => Number(a.id) - Number(b.id));
    const end = Math.min(after + limit, limits.searchResultCap, all.length);
    const next_ = after + limit < all.length && end < limits.searchResultCap ? String(after + limit) : null;
    res.json({
      total: all.length,
      results: all.slice(after, end).map((o) => customObject(o, properties)),
      ...(next_ ? { paging: { next: { after: next_ } } } : {}),
    });
  });

  // ---- deal splits (before the generic object routes) ----
  api.post('/crm/v3/objects/deals/splits/batch/read', (req, res) => {
    if (!portal.dealSplits)
      return fail(
        res,
        403,
        'This portal does not have access to deal splits. Deal splits require Sales Hub Enterprise with splits enabled.',
        'MISSING_SCOPES',
      );
    const parsed = idInputs.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (parsed.data.inputs.length > limits.batchMax) return tooMany(res, parsed.data.inputs.length);
    const startedAt = now();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of parsed.data.inputs) {
      const deal = portal.objects.deals.get(id);
      if (!deal) {
        missing.push(id);
        continue;
      }
      results.push({
        id,
        splits: (portal.splits.get(id) ?? []).map((s, i) => ({
          id: `${id}${String(i + 1).padStart(3, '0')}`,
          properties: {
            hs_deal_split_percentage: s.percentage,
            hubspot_owner_id: s.ownerId,
            hs_object_id: `${id}${String(i + 1).padStart(3, '0')}`,
          },
          createdAt: iso(deal.createdAt),
          updatedAt: iso(deal.updatedAt),
          archived: false,
        })),
      });
    }
    const message = 'Could not get some DEAL objects, they may be deleted or not exist.';
    sendBatch(res, startedAt, results, notFoundErrors(missing, message));
  });

  api.post('/crm/v3/objects/:objectType/search', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const parsed = searchRequestSchema(limits.searchPageMax).safeParse(req.body ?? {});
    if (!parsed.success) return badBody(res, parsed.error);
    const offset = parsed.data.after ? Number(parsed.data.after) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      return fail(res, 400, `after must be a non-negative integer, got ${parsed.data.after}`, 'VALIDATION_ERROR');
    if (offset >= limits.searchResultCap) {
      return fail(
        res,
        400,
        `There was a problem with the request. Paging is limited to ${limits.searchResultCap} results; narrow the search with filters.`,
        'VALIDATION_ERROR',
      );
    }
    let matched: SandboxObject[];
    try {
      matched = portal.search(type, parsed.data);
    } catch (e) {
      if (e instanceof SandboxValidationError) return fail(res, 400, e.message, e.category);
      throw e;
    }
    const end = Math.min(offset + parsed.data.limit, limits.searchResultCap, matched.length);
    const defaults = type === 'deals' ? DEAL_DEFAULTS : [];
    const results = matched.slice(offset, end).map((o) => asObject(o, parsed.data.properties, defaults));
    const next = offset + parsed.data.limit < matched.length ? String(offset + parsed.data.limit) : null;
    res.json({ total: matched.length, results, ...(next ? { paging: { next: { after: next } } } : {}) });
  });

  api.post('/crm/v3/objects/:objectType/batch/read', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const schema = idInputs.extend({
      properties: z.array(z.string()).default([]),
      propertiesWithHistory: z.array(z.string()).optional(),
    });
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (parsed.data.inputs.length > limits.batchMax) return tooMany(res, parsed.data.inputs.length);
    const startedAt = now();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of parsed.data.inputs) {
      const o = portal.objects[type].get(id);
      if (o) results.push(asObject(o, parsed.data.properties, type === 'deals' ? DEAL_DEFAULTS : []));
      else missing.push(id);
    }
    const message = `Could not get some ${type.toUpperCase()} objects, they may be deleted or not exist.`;
    sendBatch(res, startedAt, results, notFoundErrors(missing, message));
  });

  api.post('/crm/v3/objects/deals/batch/update', (req, res) => {
    const schema = z.object({
      inputs: z.array(
        z.object({
          id: z.union([z.string(), z.number()]).transform(String),
          properties: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
        }),
      ),
    });
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (parsed.data.inputs.length > limits.batchMax) return tooMany(res, parsed.data.inputs.length);
    const startedAt = now();
    let outcome;
    try {
      outcome = portal.updateDeals(parsed.data.inputs, 'API');
    } catch (e) {
      if (e instanceof SandboxValidationError) return fail(res, 400, e.message, e.category);
      throw e;
    }
    const results = outcome.updated.map((o) => {
      const input = parsed.data.inputs.find((i) => i.id === o.id)!;
      return asObject(o, Object.keys(input.properties), []);
    });
    const message = 'Could not update some DEAL objects, they may be deleted or not exist.';
    sendBatch(res, startedAt, results, notFoundErrors(outcome.missing, message));
  });

  api.get('/crm/v3/objects/:objectType', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Number(q['limit'] ?? 10), 100);
    const offset = Number(q['after'] ?? 0);
    const all = portal.search(type, { filterGroups: [], sorts: [], limit, properties: [] });
    const names = q['properties']?.split(',').filter(Boolean);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    res.json({
      results: all.slice(offset, offset + limit).map((o) => asObject(o, names, type === 'deals' ? DEAL_DEFAULTS : [])),
      ...(next ? { paging: { next: { after: next } } } : {}),
    });
  });

  api.get('/crm/v3/objects/:objectType/:objectId', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const o = portal.objects[type].get(req.params.objectId);
    const names = (req.query['properties'] as string | undefined)?.split(',').filter(Boolean);
    return o
      ? res.json(asObject(o, names, type === 'deals' ? DEAL_DEFAULTS : []))
      : fail(res, 404, `Object ${req.params.objectId} not found`, 'OBJECT_NOT_FOUND');
  });

  // ---- associations v4 ----
  api.post('/crm/v4/associations/:fromType/:toType/batch/read', (req, res) => {
    if (OBJECT_TYPES[req.params.fromType] !== 'deals' || OBJECT_TYPES[req.params.toType] !== 'contacts') {
      return fail(
        res,
        400,
        `The sandbox knows deal → contact associations only, not ${req.params.fromType} → ${req.params.toType}`,
        'VALIDATION_ERROR',
      );
    }
    const parsed = z
      .object({
        inputs: z.array(
          z.object({ id: z.union([z.string(), z.number()]).transform(String), after: z.string().optional() }),
        ),
      })
      .safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (parsed.data.inputs.length > limits.batchMax) return tooMany(res, parsed.data.inputs.length);
    const startedAt = now();
    const pageSize = 500;
    const results: unknown[] = [];
    const none: string[] = [];
    for (const { id, after } of parsed.data.inputs) {
      const contacts = portal.dealContacts.get(id) ?? [];
      if (!portal.objects.deals.has(id) || contacts.length === 0) {
        none.push(id);
        continue;
      }
      const offset = after ? Number(after) : 0;
      const page = contacts.slice(offset, offset + pageSize);
      const next = offset + pageSize < contacts.length ? String(offset + pageSize) : null;
      results.push({
        from: { id },
        to: page.map((c) => ({
          toObjectId: Number(c),
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }],
        })),
        ...(next ? { paging: { next: { after: next, link: null } } } : {}),
      });
    }
    const errors = none.map((id) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
      message: `No contacts are associated with deal ${id}.`,
      context: { fromObjectId: [id] },
    }));
    sendBatch(res, startedAt, results, errors);
  });

  // ---- properties and groups ----
  api.get('/crm/v3/properties/:objectType/groups', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    res.json({ results: [...portal.groups[type].values()] });
  });

  api.post('/crm/v3/properties/:objectType/groups', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const parsed = groupSchema.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (portal.groups[type].has(parsed.data.name))
      return fail(res, 409, `A property group named '${parsed.data.name}' already exists.`, 'OBJECT_ALREADY_EXISTS');
    const group = { ...parsed.data, archived: false };
    portal.groups[type].set(group.name, group);
    res.status(201).json(group);
  });

  api.get('/crm/v3/properties/:objectType/groups/:groupName', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const g = portal.groups[type].get(req.params.groupName);
    return g
      ? res.json(g)
      : fail(res, 404, `Property group ${req.params.groupName} does not exist`, 'OBJECT_NOT_FOUND');
  });

  api.patch('/crm/v3/properties/:objectType/groups/:groupName', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const g = portal.groups[type].get(req.params.groupName);
    if (!g) return fail(res, 404, `Property group ${req.params.groupName} does not exist`, 'OBJECT_NOT_FOUND');
    const parsed = groupSchema.pick({ label: true, displayOrder: true }).partial().safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    Object.assign(g, parsed.data);
    res.json(g);
  });

  api.get('/crm/v3/properties/:objectType', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const archived = req.query['archived'] === 'true';
    res.json({
      results: [...portal.properties[type].values()].filter((p) => p.archived === archived).map(propertyJson),
    });
  });

  api.post('/crm/v3/properties/:objectType', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const parsed = propertyCreateSchema.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    if (!PROPERTY_TYPES[parsed.data.type]!.includes(parsed.data.fieldType)) {
      return fail(
        res,
        400,
        `Property type ${parsed.data.type} does not allow field type ${parsed.data.fieldType}`,
        'VALIDATION_ERROR',
      );
    }
    try {
      const created = portal.createProperty(type, parsed.data);
      if (created === 'exists')
        return fail(res, 409, `Property named '${parsed.data.name}' already exists.`, 'OBJECT_ALREADY_EXISTS', {
          subCategory: 'PropertyValidationError.PROPERTY_ALREADY_EXISTS',
        });
      res.status(201).json(propertyJson(created));
    } catch (e) {
      if (e instanceof SandboxValidationError) return fail(res, 400, e.message, e.category);
      throw e;
    }
  });

  api.get('/crm/v3/properties/:objectType/:propertyName', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const p = portal.properties[type].get(req.params.propertyName);
    return p
      ? res.json(propertyJson(p))
      : fail(res, 404, `Property ${req.params.propertyName} does not exist`, 'OBJECT_NOT_FOUND');
  });

  api.patch('/crm/v3/properties/:objectType/:propertyName', (req, res) => {
    const type = objectType(req, res);
    if (!type) return;
    const p = portal.properties[type].get(req.params.propertyName);
    if (!p) return fail(res, 404, `Property ${req.params.propertyName} does not exist`, 'OBJECT_NOT_FOUND');
    if (p.hubspotDefined)
      return fail(res, 400, `Property ${p.name} is defined by HubSpot and cannot be changed`, 'VALIDATION_ERROR');
    const parsed = propertyCreateSchema.omit({ name: true }).partial().safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    const next = { ...p, ...parsed.data, updatedAt: now() };
    if (!PROPERTY_TYPES[next.type]?.includes(next.fieldType))
      return fail(
        res,
        400,
        `Property type ${next.type} does not allow field type ${next.fieldType}`,
        'VALIDATION_ERROR',
      );
    portal.properties[type].set(p.name, next);
    res.json(propertyJson(next));
  });

  // ---- admin (not HubSpot: inspect and steer the sandbox) ----
  const admin = express.Router();
  admin.get('/stats', (_req, res) => res.json(callStats(calls, limits.intervalMs)));
  admin.get('/calls', (_req, res) => res.json(calls));
  admin.post('/calls/reset', (_req, res) => {
    calls.length = 0;
    res.status(204).end();
  });
  admin.get('/faults', (_req, res) => res.json(faults.current));
  admin.put('/faults', (req, res) => {
    const parsed = faultConfigSchema.safeParse({ ...faults.current, ...(req.body as object) });
    if (!parsed.success) return badBody(res, parsed.error);
    res.json(faults.update(req.body as FaultConfigInput));
  });
  admin.patch('/deals/:id', (req, res) => {
    const parsed = setDealSchema.safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    const properties: Record<string, string> = { ...(parsed.data.properties ?? {}) };
    if (parsed.data.amount !== undefined) properties['amount'] = parsed.data.amount;
    if (parsed.data.closeDate !== undefined) properties['closedate'] = `${parsed.data.closeDate}T12:00:00.000Z`;
    if (parsed.data.stage !== undefined) {
      const found = portal.findStage(parsed.data.stage);
      if (!found) return fail(res, 400, `No deal stage with id or label "${parsed.data.stage}"`, 'VALIDATION_ERROR');
      properties['dealstage'] = found.stage.id;
      properties['pipeline'] = found.pipeline.id;
    }
    if (parsed.data.owner !== undefined) {
      const owner = [...portal.owners.values()].find(
        (o) => o.id === parsed.data.owner || o.email === parsed.data.owner,
      );
      if (!owner) return fail(res, 400, `No owner with id or email "${parsed.data.owner}"`, 'VALIDATION_ERROR');
      properties['hubspot_owner_id'] = owner.id;
    }
    try {
      const { updated, missing } = portal.updateDeals([{ id: req.params.id, properties }], 'CRM_UI');
      if (missing.length > 0) return fail(res, 404, `Deal ${req.params.id} not found`, 'OBJECT_NOT_FOUND');
      res.json({ id: updated[0]!.id, properties: updated[0]!.properties });
    } catch (e) {
      if (e instanceof SandboxValidationError) return fail(res, 400, e.message, e.category);
      throw e;
    }
  });
  admin.post('/deals', (req, res) => {
    const parsed = z.object({ properties: z.record(z.string(), z.string()) }).safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    try {
      const deal = portal.createDeal(parsed.data.properties);
      res.status(201).json({ id: deal.id, properties: deal.properties });
    } catch (e) {
      if (e instanceof SandboxValidationError) return fail(res, 400, e.message, e.category);
      throw e;
    }
  });
  admin.delete('/deals/:id', (req, res) =>
    portal.deleteDeal(req.params.id)
      ? res.status(204).end()
      : fail(res, 404, `Deal ${req.params.id} not found`, 'OBJECT_NOT_FOUND'),
  );
  admin.put('/webhooks', (req, res) => {
    const parsed = z.object({ targetUrl: z.url().nullable() }).safeParse(req.body);
    if (!parsed.success) return badBody(res, parsed.error);
    webhooks.targetUrl = parsed.data.targetUrl;
    res.json({ targetUrl: webhooks.targetUrl });
  });
  admin.get('/webhooks/deliveries', (_req, res) => res.json(webhooks.deliveries));
  server.use('/_sandbox', admin);
  server.use(api);

  server.use((req: Request, res: Response) =>
    fail(res, 404, `The sandbox does not implement ${req.method} ${req.path}`, 'OBJECT_NOT_FOUND'),
  );
  server.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const parseError = error as { type?: string; status?: number };
    if (parseError.type === 'entity.parse.failed')
      return fail(res, 400, 'Invalid input JSON: the body is not JSON', 'VALIDATION_ERROR');
    fail(res, 500, `sandbox error: ${error instanceof Error ? error.message : String(error)}`, 'INTERNAL_ERROR');
  });

  const http: Server = await new Promise((resolve, reject) => {
    const s = server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    state: portal,
    accessToken: staticToken.token,
    app,
    limits,
    faults,
    calls,
    stats: () => callStats(calls, limits.intervalMs),
    resetCalls: () => {
      calls.length = 0;
    },
    webhooks,
    issueAuthorizationCode: issueCode,
    close: async () => {
      webhooks.close();
      for (const t of hanging) clearTimeout(t);
      hanging.clear();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

const setDealSchema = z.object({
  amount: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "1250.00"')
    .optional(),
  stage: z.string().min(1).optional(),
  closeDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
    .optional(),
  owner: z.string().min(1).optional(),
  properties: z.record(z.string(), z.string()).optional(),
});
