/** API tokens (admins): create one for a role — the secret is in the response once and never again — list, revoke. */
import { z } from 'zod';
import { id } from '../../src/data/index.js';
import type { Feature } from '../app.js';
import { payeeExists } from '../auth/access.js';
import { forgetToken } from '../auth/authenticate.js';
import { ROLES } from '../auth/principal.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../store/repos/api-tokens.js';
import { invalid, notFound } from './errors.js';
import { recordChange } from './audit-trail.js';

const tokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    payeeId: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

const createBody = z
  .strictObject({ name: z.string().trim().min(1).max(200), role: z.enum(ROLES), payeeId: id.nullable().optional() })
  .refine((b) => b.role === 'admin' || !!b.payeeId, {
    path: ['payeeId'],
    message: 'is required for manager and seller tokens (the payee the token acts as)',
  });

export const tokensFeature: Feature = ({ api, deps }) => {
  const db = deps.store.db;

  api.endpoint({
    method: 'get',
    path: '/tokens',
    tag: 'Tokens',
    summary: "The tenant's API tokens (never the secrets)",
    roles: ['admin'],
    response: z.object({ tokens: z.array(tokenView) }),
    handle: async ({ principal }) => ({
      tokens: (await listApiTokens(db, principal.tenantId)).map((t) => ({
        id: t.tokenId,
        name: t.name,
        role: t.role,
        payeeId: t.payeeId,
        createdAt: t.createdAt.toISOString(),
        revokedAt: t.revokedAt?.toISOString() ?? null,
      })),
    }),
  });

  api.endpoint({
    method: 'post',
    path: '/tokens',
    tag: 'Tokens',
    summary: 'Create a token; the response holds the secret, shown only this once',
    roles: ['admin'],
    body: createBody,
    status: 201,
    response: z.object({ id: z.string(), token: z.string(), role: z.enum(ROLES), payeeId: z.string().nullable() }),
    handle: async ({ body, principal }) =>
      db.transaction().execute(async (trx) => {
        if (body.payeeId && !(await payeeExists(trx, principal.tenantId, body.payeeId))) {
          throw invalid([{ path: 'body.payeeId', message: `payee "${body.payeeId}" does not exist` }]);
        }
        const created = await createApiToken(trx, principal.tenantId, {
          name: body.name,
          role: body.role,
          payeeId: body.payeeId ?? null,
        });
        const p = created.principal;
        await recordChange(trx, principal, deps.now(), {
          action: 'token.created',
          entityType: 'api_token',
          entityId: p.tokenId,
          before: null,
          after: { name: p.name, role: p.role, payeeId: p.payeeId },
        });
        return { id: p.tokenId, token: created.token, role: p.role, payeeId: p.payeeId };
      }),
  });

  api.endpoint({
    method: 'delete',
    path: '/tokens/:tokenId',
    tag: 'Tokens',
    summary: 'Revoke a token (takes effect on the next request)',
    roles: ['admin'],
    params: z.strictObject({ tokenId: z.string().min(1).max(200) }),
    response: z.object({ revoked: z.literal(true) }),
    handle: async ({ params, principal }) =>
      db.transaction().execute(async (trx) => {
        if (!(await revokeApiToken(trx, principal.tenantId, params.tokenId, deps.now())))
          throw notFound(`Token ${params.tokenId}`);
        forgetToken(params.tokenId);
        await recordChange(trx, principal, deps.now(), {
          action: 'token.revoked',
          entityType: 'api_token',
          entityId: params.tokenId,
          before: null,
          after: { revoked: true },
        });
        return { revoked: true as const };
      }),
  });
};
