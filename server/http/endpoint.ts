/**
 * One declaration per endpoint: the zod schemas for params, query and body validate the request AND describe it
 * in the OpenAPI document, so the document cannot drift from what the server accepts.
 *
 *   api.endpoint({
 *     method: 'get', path: '/teams/:teamId/attainment', tag: 'Teams', summary: '…',
 *     params: z.object({ teamId: id }), query: z.object({ period: periodId }),
 *     response: teamAttainmentSchema,
 *     handle: async ({ params, query, principal }) => …,
 *   });
 *
 * Validation failures become 400 with one `{ path, message }` per bad field; the handler only ever sees parsed
 * values. Endpoints require a bearer token unless they say `auth: 'none'`; `roles` narrows who may call them.
 */
import express, { type Request, type Response, type RequestHandler, type Router } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Principal, Role } from '../auth/principal.js';
import { ApiError, fieldErrors, forbidden, invalid, type FieldError } from './errors.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Obj = z.ZodObject;
type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export type BodyType = 'application/json' | 'text/csv';

export interface HandlerInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: Principal;
  /** The media type the body arrived as (for endpoints that accept several). */
  bodyType: BodyType | null;
  req: Request;
  res: Response;
}

interface EndpointBase<P, Q, B> {
  method: Method;
  /** Express-style path relative to the router base, e.g. "/payees/:payeeId/summary". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** What the OpenAPI document shows for a JSON body when `body` is looser than the real contract (parsed in the handler). */
  bodyDoc?: z.ZodType;
  /** Media types the body may use; default JSON. A CSV body reaches the body schema as a string. */
  bodyTypes?: BodyType[];
  /** Success status; default 200. */
  status?: number;
  response: z.ZodType;
  roles?: readonly Role[];
}

export interface AuthedEndpoint<P, Q, B> extends EndpointBase<P, Q, B> {
  auth?: 'token';
  handle(input: HandlerInput<P, Q, B>): Promise<unknown>;
}

export interface PublicEndpoint<P, Q, B> extends EndpointBase<P, Q, B> {
  auth: 'none';
  handle(input: Omit<HandlerInput<P, Q, B>, 'principal'>): Promise<unknown>;
}

const errorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Error' });

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Invalid request; `errors` names each bad field.',
  401: 'Missing or invalid API token.',
  403: 'The token’s role does not allow this.',
  404: 'Not found in this tenant.',
};

const BODY_LIMIT = '50mb';
const parsers: Record<BodyType, RequestHandler> = {
  'application/json': express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }),
  'text/csv': express.text({ limit: BODY_LIMIT, type: ['text/csv', 'text/plain'] }),
};

function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parsePart(
  schema: z.ZodType | undefined,
  value: unknown,
  where: string,
): { data: unknown; errors: ReturnType<typeof fieldErrors> } {
  if (!schema) return { data: undefined, errors: [] };
  const r = schema.safeParse(value);
  return r.success ? { data: r.data, errors: [] } : { data: undefined, errors: fieldErrors(r.error, where) };
}

export class ApiRouter {
  readonly router: Router = express.Router();

  constructor(
    private readonly registry: OpenAPIRegistry,
    /** Where `router` is mounted, e.g. "/api/v1" (for the OpenAPI paths). */
    private readonly basePath: string,
    private readonly authenticate: (req: Request) => Promise<Principal>,
  ) {}

  endpoint<
    P extends Obj | undefined = undefined,
    Q extends Obj | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
  >(spec: AuthedEndpoint<P, Q, B> | PublicEndpoint<P, Q, B>): void {
    this.document(spec);
    const bodyTypes = spec.body ? (spec.bodyTypes ?? ['application/json']) : [];
    const handler: RequestHandler = async (req, res) => {
      const principal = spec.auth === 'none' ? undefined : await this.authenticate(req);
      if (principal && spec.roles && !spec.roles.includes(principal.role)) throw forbidden();
      if (principal) req.principal = principal;

      let bodyType: BodyType | null = null;
      if (spec.body) {
        bodyType = await parseBody(req, res, bodyTypes);
      }
      const params = parsePart(spec.params, req.params, 'params');
      const query = parsePart(spec.query, req.query, 'query');
      const body = parsePart(spec.body, bodyType === null && spec.body ? undefined : req.body, 'body');
      const errors = [...params.errors, ...query.errors, ...body.errors];
      if (errors.length === 0) {
        errors.push(
          ...nulCharacters(params.data, 'params'),
          ...nulCharacters(query.data, 'query'),
          ...nulCharacters(body.data, 'body'),
        );
      }
      if (errors.length > 0) throw invalid(errors);

      const input = { params: params.data, query: query.data, body: body.data, bodyType, req, res } as Omit<
        HandlerInput<P, Q, B>,
        'principal'
      >;
      const result =
        spec.auth === 'none'
          ? await spec.handle(input)
          : await spec.handle({ ...input, principal: principal as Principal });
      if (!res.headersSent) res.status(spec.status ?? 200).json(result);
    };
    this.router[spec.method](spec.path, handler);
  }

  private document(spec: EndpointBase<unknown, unknown, unknown> & { auth?: 'token' | 'none' }): void {
    const responses: RouteConfig['responses'] = {
      [String(spec.status ?? 200)]: {
        description: 'Success',
        content: { 'application/json': { schema: spec.response } },
      },
    };
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      if (spec.auth === 'none' && (status === '401' || status === '403')) continue;
      responses[status] = { description, content: { 'application/json': { schema: errorBody } } };
    }
    const request: RouteConfig['request'] = {};
    if (spec.params) request.params = spec.params as Obj;
    if (spec.query) request.query = spec.query as Obj;
    if (spec.body) {
      const content: Record<string, { schema: z.ZodType }> = {};
      for (const t of spec.bodyTypes ?? ['application/json'])
        content[t] = { schema: t === 'text/csv' ? z.string() : (spec.bodyDoc ?? (spec.body as z.ZodType)) };
      request.body = { content, required: true };
    }
    this.registry.registerPath({
      method: spec.method,
      path: this.basePath + toOpenApiPath(spec.path),
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.auth === 'none' ? { security: [] } : {}),
      request,
      responses,
    });
  }
}

/** PostgreSQL text cannot hold U+0000; refusing it here turns a database error (500) into a field error (400). */
function nulCharacters(value: unknown, path: string, out: FieldError[] = []): FieldError[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path, message: 'must not contain the NUL character (\\u0000)' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulCharacters(v, `${path}.${i}`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000'))
        out.push({ path: `${path}.${k}`, message: 'must not contain the NUL character (\\u0000)' });
      nulCharacters(v, `${path}.${k}`, out);
    }
  }
  return out;
}

function runParser(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

async function parseBody(req: Request, res: Response, types: BodyType[]): Promise<BodyType> {
  const contentType = req.headers['content-type'];
  if (!contentType) throw invalid([{ path: 'body', message: `is required (Content-Type: ${types.join(' or ')})` }]);
  for (const t of types) {
    await runParser(parsers[t], req, res);
    if (req.body !== undefined) return t;
  }
  throw new ApiError(415, 'unsupported-media-type', `Send the body as ${types.join(' or ')}.`);
}
