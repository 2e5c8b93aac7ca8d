import type { Payee, Team } from '../../../src/data/index.js';
import type { PayeesTable, TeamsTable } from '../database.js';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

function toPayee(r: Omit<PayeesTable, 'updated_at' | 'tenant_id'>): Payee {
  const crm = {
    ...(r.hubspot_owner_id ? { hubspotOwnerId: r.hubspot_owner_id } : {}),
    ...(r.hubspot_user_id ? { hubspotUserId: r.hubspot_user_id } : {}),
    ...(r.salesforce_user_id ? { salesforceUserId: r.salesforce_user_id } : {}),
  };
  return {
    id: r.id,
    name: r.name,
    ...(r.email ? { email: r.email } : {}),
    managerId: r.manager_id,
    teamId: r.team_id,
    ...(r.start_date ? { startDate: r.start_date } : {}),
    ...(r.end_date ? { endDate: r.end_date } : {}),
    ...(Object.keys(crm).length > 0 ? { crm } : {}),
  };
}

const payeeColumns = [
  { name: 'tenant_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'manager_id', type: 'text' },
  { name: 'team_id', type: 'text' },
  { name: 'start_date', type: 'date' },
  { name: 'end_date', type: 'date' },
  { name: 'hubspot_owner_id', type: 'text' },
  { name: 'hubspot_user_id', type: 'text' },
  { name: 'salesforce_user_id', type: 'text' },
];

export async function upsertPayees(db: Db, tenantId: string, payees: readonly Payee[]): Promise<void> {
  await bulkUpsert(
    db,
    { table: 'payees', columns: payeeColumns, conflict: ['tenant_id', 'id'] },
    payees.map((p) => ({
      tenant_id: tenantId,
      id: p.id,
      name: p.name,
      email: p.email ?? null,
      manager_id: p.managerId ?? null,
      team_id: p.teamId ?? null,
      start_date: p.startDate ?? null,
      end_date: p.endDate ?? null,
      hubspot_owner_id: p.crm?.hubspotOwnerId ?? null,
      hubspot_user_id: p.crm?.hubspotUserId ?? null,
      salesforce_user_id: p.crm?.salesforceUserId ?? null,
    })),
  );
}

export async function listPayees(db: Db, tenantId: string, ids?: readonly string[]): Promise<Payee[]> {
  let q = db.selectFrom('payees').selectAll().where('tenant_id', '=', tenantId);
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('id', 'in', ids);
  }
  return (await q.orderBy('id').execute()).map(toPayee);
}

export async function getPayee(db: Db, tenantId: string, id: string): Promise<Payee | undefined> {
  const r = await db
    .selectFrom('payees')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r && toPayee(r);
}

export async function findPayeeByCrmId(
  db: Db,
  tenantId: string,
  key: 'hubspotOwnerId' | 'salesforceUserId',
  value: string,
): Promise<Payee | undefined> {
  const column = key === 'hubspotOwnerId' ? 'hubspot_owner_id' : 'salesforce_user_id';
  const r = await db
    .selectFrom('payees')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(column, '=', value)
    .executeTakeFirst();
  return r && toPayee(r);
}

/** The payee and everyone below them in the manager hierarchy (a manager's team subtree), ids only. */
export async function payeeSubtree(db: Db, tenantId: string, rootPayeeId: string): Promise<string[]> {
  const rows = await db
    .withRecursive('subtree(id)', (qb) =>
      qb
        .selectFrom('payees')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', rootPayeeId)
        .union(
          qb
            .selectFrom('payees as p')
            .innerJoin('subtree as s', 's.id', 'p.manager_id')
            .select('p.id')
            .where('p.tenant_id', '=', tenantId),
        ),
    )
    .selectFrom('subtree')
    .select('id')
    .execute();
  return rows.map((r) => r.id);
}

function toTeam(r: Omit<TeamsTable, 'tenant_id'>): Team {
  return { id: r.id, name: r.name, managerId: r.manager_id, parentTeamId: r.parent_team_id };
}

export async function upsertTeams(db: Db, tenantId: string, teams: readonly Team[]): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'teams',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'id', type: 'text' },
        { name: 'name', type: 'text' },
        { name: 'manager_id', type: 'text' },
        { name: 'parent_team_id', type: 'text' },
      ],
      conflict: ['tenant_id', 'id'],
    },
    teams.map((t) => ({
      tenant_id: tenantId,
      id: t.id,
      name: t.name,
      manager_id: t.managerId ?? null,
      parent_team_id: t.parentTeamId ?? null,
    })),
  );
}

export async function listTeams(db: Db, tenantId: string): Promise<Team[]> {
  return (await db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute()).map(
    toTeam,
  );
}

export async function getTeam(db: Db, tenantId: string, id: string): Promise<Team | undefined> {
  const r = await db
    .selectFrom('teams')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r && toTeam(r);
}

/** Members of a team and of its sub-teams (by `payees.team_id`). */
export async function teamMemberIds(db: Db, tenantId: string, teamId: string): Promise<string[]> {
  const rows = await db
    .withRecursive('sub(id)', (qb) =>
      qb
        .selectFrom('teams')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', teamId)
        .union(
          qb
            .selectFrom('teams as t')
            .innerJoin('sub as s', 's.id', 't.parent_team_id')
            .select('t.id')
            .where('t.tenant_id', '=', tenantId),
        ),
    )
    .selectFrom('payees')
    .innerJoin('sub', 'sub.id', 'payees.team_id')
    .select('payees.id')
    .where('payees.tenant_id', '=', tenantId)
    .orderBy('payees.id')
    .execute();
  return rows.map((r) => r.id);
}
