/**
 * The SDK client of one portal. Built with one attempt and no SDK limiter (our caller retries and limits per
 * portal), and with every API group we use touched right away: the SDK captures its process-wide decorators
 * when a group is first built (platform notes §6.1), so nobody constructing another Client later can change
 * ours. The access token is passed per call (`callOptions`), so a refreshed token never needs
 * `setAccessToken()`, which would reset the decorator singleton. (Configuration-level middleware would be the
 * other way in, but 13.5's generated code drops it unless call options are passed too.)
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { Client } from '@hubspot/api-client';

export const HUBSPOT_API = 'https://api.hubapi.com';

/** Returns a valid access token, refreshing it ahead of expiry when needed. */
export type AccessTokenSource = () => Promise<string>;

interface ResponseContextLike {
  httpStatusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string> };
}

/**
 * Keep-alive sockets that are destroyed after `idleMs` without traffic. Our caller stops waiting for a hung
 * request on its own timer; this makes the socket go too, instead of staying open until the server gives up.
 */
export function idleTimeoutAgent(basePath: string, idleMs: number): HttpAgent {
  const guard = (socket: Socket) =>
    socket.setTimeout(idleMs, () => socket.destroy(new Error(`no traffic for ${idleMs} ms`)));
  if (basePath.startsWith('https:')) {
    return new (class extends HttpsAgent {
      override createConnection(...args: Parameters<HttpsAgent['createConnection']>) {
        const socket = super.createConnection(...args);
        if (socket) guard(socket as Socket);
        return socket;
      }
    })({ keepAlive: true });
  }
  return new (class extends HttpAgent {
    override createConnection(...args: Parameters<HttpAgent['createConnection']>) {
      const socket = super.createConnection(...args);
      if (socket) guard(socket as Socket);
      return socket;
    }
  })({ keepAlive: true });
}

/**
 * Per-call options: authenticate with the given token, send through the portal's agent, and turn an error answer that is not JSON (a proxy's
 * HTML 502, an empty 503) into the `{ code, body, headers }` error the SDK throws for JSON errors. Without
 * this the SDK throws "Cannot parse content" and the status code, which decides about retrying, is lost.
 */
export function callOptions(token: string, agent: HttpAgent) {
  return {
    authMethods: {
      oauth2: {
        getName: () => 'oauth2',
        applySecurityAuthentication: (context: { setHeaderParam(key: string, value: string): void }) => {
          context.setHeaderParam('Authorization', `Bearer ${token}`);
        },
      },
    },
    middleware: [
      {
        pre: async <T>(context: T) => {
          (context as unknown as { setAgent(agent: HttpAgent): void }).setAgent(agent);
          return context;
        },
        post: async <T>(context: T) => {
          const response = context as unknown as ResponseContextLike;
          const type = response.headers['content-type'] ?? '';
          if (response.httpStatusCode >= 400 && !/json/i.test(type)) {
            const body = await response.body.text();
            throw Object.assign(new Error(`HubSpot answered ${response.httpStatusCode}`), {
              code: response.httpStatusCode,
              body,
              headers: response.headers,
            });
          }
          return context;
        },
      },
    ],
  };
}

export function buildApiGroups(basePath: string) {
  const client = new Client({ basePath, numberOfApiCallRetries: 1 });
  const crm = client.crm;
  return {
    owners: crm.owners.ownersApi,
    pipelines: crm.pipelines.pipelinesApi,
    dealsSearch: crm.deals.searchApi,
    dealsBatch: crm.deals.batchApi,
    propertiesCore: crm.properties.coreApi,
    propertyGroups: crm.properties.groupsApi,
    associationsBatch: crm.associations.v4.batchApi,
    goalsSearch: crm.objects.goals.searchApi,
    dealSplitsBatch: crm.objects.dealSplits.batchApi,
    schemas: crm.schemas.coreApi,
    objectsBatch: crm.objects.batchApi,
    /** For endpoints without a typed wrapper (account details); see `getJson`. */
    raw: client,
  };
}
export type ApiGroups = ReturnType<typeof buildApiGroups>;

/**
 * GET through `client.apiRequest` (untyped endpoints). It returns a bare Response, so turn a non-2xx into the
 * same `{ code, body, headers }` shape the typed API throws, for one error classification.
 */
export async function getJson(client: Client, path: string, token: string): Promise<unknown> {
  const response = await client.apiRequest({ method: 'GET', path, headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // keep the text: an HTML error page from a proxy is still worth showing
  }
  if (!response.ok) {
    const headers: Record<string, string> = {};
    response.headers.forEach((value: string, name: string) => (headers[name] = value));
    throw Object.assign(new Error(`HubSpot answered ${response.status}`), { code: response.status, body, headers });
  }
  return body;
}
