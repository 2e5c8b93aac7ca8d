/**
 * Row-level access inside a tenant. Every lookup is by (tenant, id), so another tenant's ids are simply not
 * found (404, which also does not reveal that they exist); a payee or team that exists in the tenant but is
 * outside the caller's scope is 403.
 *
 * A manager's scope: themselves, everyone below them in the manager hierarchy, and the members of teams they
 * lead (and those teams' sub-teams).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { forbidden, notFound } from '../http/errors.js';
import type { Principal } from './principal.js';

/** Hierarchies deeper than this are data errors (or cycles); stop walking instead of looping. */
const MAX_DEPTH = 64;

export async function payeeExists(db: Kysely<Database>, tenantId: string, payeeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('payees')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', payeeId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether `managerId` is above `payeeId` in the manager hierarchy, or leads a team (or parent team) the payee is in. */
async function manages(db: Kysely<Database>, tenantId: string, managerId: string, payeeId: string): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`
    WITH RECURSIVE chain(id, manager_id, team_id, depth) AS (
      SELECT id, manager_id, team_id, 0 FROM payees WHERE tenant_id = ${tenantId} AND id = ${payeeId}
      UNION ALL
      SELECT p.id, p.manager_id, p.team_id, c.depth + 1 FROM payees p JOIN chain c ON p.id = c.manager_id
      WHERE p.tenant_id = ${tenantId} AND c.depth < ${MAX_DEPTH}
    ),
    teams_up(id, manager_id, parent_team_id, depth) AS (
      SELECT t.id, t.manager_id, t.parent_team_id, 0 FROM teams t
      WHERE t.tenant_id = ${tenantId} AND t.id = (SELECT team_id FROM payees WHERE tenant_id = ${tenantId} AND id = ${payeeId})
      UNION ALL
      SELECT t.id, t.manager_id, t.parent_team_id, u.depth + 1 FROM teams t JOIN teams_up u ON t.id = u.parent_team_id
      WHERE t.tenant_id = ${tenantId} AND u.depth < ${MAX_DEPTH}
    )
    SELECT (EXISTS (SELECT 1 FROM chain WHERE manager_id = ${managerId})
         OR EXISTS (SELECT 1 FROM teams_up WHERE manager_id = ${managerId})) AS ok`.execute(db);
  return r.rows[0]?.ok === true;
}

/** Throws 404 (not in this tenant) or 403 (outside the caller's scope). */
export async function assertCanSeePayee(db: Kysely<Database>, principal: Principal, payeeId: string): Promise<void> {
  if (!(await payeeExists(db, principal.tenantId, payeeId))) throw notFound(`Payee ${payeeId}`);
  if (principal.role === 'admin' || principal.payeeId === payeeId) return;
  if (
    principal.role === 'manager' &&
    principal.payeeId &&
    (await manages(db, principal.tenantId, principal.payeeId, payeeId))
  )
    return;
  throw forbidden(`You may not see payee ${payeeId}.`);
}

/** The team (name) and the ids of it and its sub-teams; null when the tenant has no such team. */
export async function teamWithSubteams(
  db: Kysely<Database>,
  tenantId: string,
  teamId: string,
): Promise<{ name: string; teamIds: string[] } | null> {
  const r = await sql<{ id: string; name: string; depth: number }>`
    WITH RECURSIVE sub(id, name, depth) AS (
      SELECT id, name, 0 FROM teams WHERE tenant_id = ${tenantId} AND id = ${teamId}
      UNION ALL
      SELECT t.id, t.name, s.depth + 1 FROM teams t JOIN sub s ON t.parent_team_id = s.id
      WHERE t.tenant_id = ${tenantId} AND s.depth < ${MAX_DEPTH}
    )
    SELECT DISTINCT ON (id) id, name, depth FROM sub ORDER BY id, depth`.execute(db);
  const root = r.rows.find((row) => row.id === teamId);
  return root ? { name: root.name, teamIds: r.rows.map((row) => row.id) } : null;
}

/** The team and its sub-teams' ids, after checking the caller may see the team. */
export async function teamScope(
  db: Kysely<Database>,
  principal: Principal,
  teamId: string,
): Promise<{ name: string; teamIds: string[] }> {
  const team = await teamWithSubteams(db, principal.tenantId, teamId);
  if (!team) throw notFound(`Team ${teamId}`);
  if (principal.role === 'seller') throw forbidden('Sellers see their own summary, not team views.');
  if (
    principal.role === 'manager' &&
    !(principal.payeeId && (await leadsTeam(db, principal.tenantId, principal.payeeId, teamId)))
  ) {
    throw forbidden(`You do not manage team ${teamId}.`);
  }
  return team;
}

async function leadsTeam(db: Kysely<Database>, tenantId: string, managerId: string, teamId: string): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`
    WITH RECURSIVE up(id, manager_id, parent_team_id, depth) AS (
      SELECT id, manager_id, parent_team_id, 0 FROM teams WHERE tenant_id = ${tenantId} AND id = ${teamId}
      UNION ALL
      SELECT t.id, t.manager_id, t.parent_team_id, u.depth + 1 FROM teams t JOIN up u ON t.id = u.parent_team_id
      WHERE t.tenant_id = ${tenantId} AND u.depth < ${MAX_DEPTH}
    )
    SELECT EXISTS (SELECT 1 FROM up WHERE manager_id = ${managerId}) AS ok`.execute(db);
  return r.rows[0]?.ok === true;
}

/** Ids of every payee the caller may see (admins: null = all of the tenant). */
export async function visiblePayeeIds(db: Kysely<Database>, principal: Principal): Promise<string[] | null> {
  if (principal.role === 'admin') return null;
  if (!principal.payeeId) return [];
  if (principal.role === 'seller') return [principal.payeeId];
  const r = await sql<{ id: string }>`
    WITH RECURSIVE down(id, depth) AS (
      SELECT id, 0 FROM payees WHERE tenant_id = ${principal.tenantId} AND id = ${principal.payeeId}
      UNION
      SELECT p.id, d.depth + 1 FROM payees p JOIN down d ON p.manager_id = d.id
      WHERE p.tenant_id = ${principal.tenantId} AND d.depth < ${MAX_DEPTH}
    ),
    led(id, depth) AS (
      SELECT id, 0 FROM teams WHERE tenant_id = ${principal.tenantId} AND manager_id = ${principal.payeeId}
      UNION
      SELECT t.id, l.depth + 1 FROM teams t JOIN led l ON t.parent_team_id = l.id
      WHERE t.tenant_id = ${principal.tenantId} AND l.depth < ${MAX_DEPTH}
    )
    SELECT id FROM down
    UNION SELECT p.id FROM payees p WHERE p.tenant_id = ${principal.tenantId} AND p.team_id IN (SELECT id FROM led)`.execute(
    db,
  );
  return r.rows.map((row) => row.id);
}
