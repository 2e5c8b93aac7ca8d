/**
 * HubSpot users → payees and roles, for requests signed by HubSpot on a user's behalf (cards, settings page).
 * Additive to the store: no new table. Admins are listed per tenant in `tenants.settings.hubspotAdminUserIds` (a top-level key: `settings.hubspot` belongs to the sync)
 * (set at install for the installing user, editable by an admin); everyone else is a manager if someone
 * reports to them or they lead a team, else a seller.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

export interface HubSpotUserRole {
  payeeId: string | null;
  role: 'admin' | 'manager' | 'seller';
}

export async function resolveHubSpotUser(
  db: Db,
  tenantId: string,
  hubspotUserId: string,
): Promise<HubSpotUserRole | null> {
  const r = await sql<{ payee_id: string | null; is_admin: boolean; manages: boolean }>`
    SELECT p.id AS payee_id,
           COALESCE(t.settings -> 'hubspotAdminUserIds' ? ${hubspotUserId}, false) AS is_admin,
           (p.id IS NOT NULL AND (
              EXISTS (SELECT 1 FROM payees r WHERE r.tenant_id = ${tenantId} AND r.manager_id = p.id)
              OR EXISTS (SELECT 1 FROM teams tm WHERE tm.tenant_id = ${tenantId} AND tm.manager_id = p.id))) AS manages
    FROM tenants t
    LEFT JOIN payees p ON p.tenant_id = t.tenant_id AND p.hubspot_user_id = ${hubspotUserId}
    WHERE t.tenant_id = ${tenantId}
    LIMIT 1`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  if (row.is_admin) return { payeeId: row.payee_id, role: 'admin' };
  if (row.payee_id === null) return null;
  return { payeeId: row.payee_id, role: row.manages ? 'manager' : 'seller' };
}

/** A manager's scope: everyone below them in the manager hierarchy plus members of teams (and sub-teams) they lead. */
export async function managedPayeeIds(db: Db, tenantId: string, managerPayeeId: string): Promise<string[]> {
  const r = await sql<{ id: string }>`
    WITH RECURSIVE down(id, depth) AS (
      SELECT ${managerPayeeId}::text, 0
      UNION
      SELECT p.id, d.depth + 1 FROM payees p JOIN down d ON p.manager_id = d.id
      WHERE p.tenant_id = ${tenantId} AND d.depth < 64
    ),
    led(id, depth) AS (
      SELECT id, 0 FROM teams WHERE tenant_id = ${tenantId} AND manager_id = ${managerPayeeId}
      UNION
      SELECT t.id, l.depth + 1 FROM teams t JOIN led l ON t.parent_team_id = l.id
      WHERE t.tenant_id = ${tenantId} AND l.depth < 64
    )
    SELECT id FROM down
    UNION
    SELECT p.id FROM payees p JOIN led l ON p.team_id = l.id WHERE p.tenant_id = ${tenantId}`.execute(db);
  return r.rows.map((row) => row.id);
}
