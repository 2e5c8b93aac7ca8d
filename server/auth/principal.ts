/**
 * Who is calling, as established by the token middleware. Every query a route runs is scoped by `tenantId`;
 * `role` and `payeeId` decide which payees inside the tenant the caller may see:
 * - admin: everything in the tenant, and the only role that may change plans, quotas, data or settings;
 * - manager: their own payee and every payee below them in the manager hierarchy (and teams they lead);
 * - seller: only themselves.
 */
export const ROLES = ['admin', 'manager', 'seller'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  tenantId: string;
  role: Role;
  /** The payee this caller is (required for manager and seller, optional for admin). */
  payeeId: string | null;
  tokenId: string;
  /** What audit entries record as the actor, e.g. "token:3f2a… (admin)". */
  actor: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
