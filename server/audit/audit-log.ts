import { sql } from 'kysely';
import type { Db } from '../store/repos/db.js';
import { canonicalJson, sha256Hex } from '../store/canonical-json.js';

/**
 * The audit log: append-only (a trigger refuses UPDATE and DELETE) and hash-chained per tenant. Entry n stores
 * the hash of entry n-1 and its own hash over a canonical serialisation of all its fields including that
 * previous hash, so changing, removing or reordering any entry breaks every link after it.
 *
 * Appends are serialised per tenant by locking the tenant's row in `audit_heads` (SELECT … FOR UPDATE works
 * on PostgreSQL and on PGlite); call `recordAudit` with the transaction that makes the change, so the change
 * and its audit entry commit or roll back together.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** What is audited. Free-form strings are allowed; these are the ones the service writes. */
export const AUDIT_ACTIONS = [
  'tenant.created',
  'settings.changed',
  'plan.saved',
  'quota.set',
  'quota.deleted',
  'assignment.set',
  'assignment.deleted',
  'payment.recorded',
  'calc.run.published',
  'calc.run.failed',
  'token.created',
  'token.revoked',
  'crm.connected',
  'import.applied',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number] | (string & {});

export interface AuditEntryInput {
  tenantId: string;
  /** Who: a user/token id, 'system', or 'job:<name>'. */
  actor: string;
  action: AuditAction;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** When; default now. Millisecond precision (what a JS Date holds and the database keeps exactly). */
  at?: Date;
}

export interface AuditEntry {
  tenantId: string;
  seq: number;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  at: Date;
  prevHash: string;
  hash: string;
}

/** JSON-normalises a value the way JSONB will hand it back, so the hash is over exactly what is stored. */
function asStored(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

export function auditEntryHash(e: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      tenantId: e.tenantId,
      seq: e.seq,
      actor: e.actor,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      before: e.before,
      after: e.after,
      at: e.at.toISOString(),
      prevHash: e.prevHash,
    }),
  );
}

/** Appends one entry. Pass the transaction of the change; given a plain `db` it opens its own. */
export async function recordAudit(db: Db, input: AuditEntryInput): Promise<AuditEntry> {
  if (!db.isTransaction) return db.transaction().execute((trx) => recordAudit(trx, input));
  await db
    .insertInto('audit_heads')
    .values({ tenant_id: input.tenantId, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  const head = await db
    .selectFrom('audit_heads')
    .select(['seq', 'hash'])
    .where('tenant_id', '=', input.tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const at = input.at ?? new Date();
  const base = {
    tenantId: input.tenantId,
    seq: Number(head.seq) + 1,
    actor: input.actor,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    before: asStored(input.before),
    after: asStored(input.after),
    at,
    prevHash: head.hash,
  };
  const entry: AuditEntry = { ...base, hash: auditEntryHash(base) };
  await db
    .insertInto('audit_log')
    .values({
      tenant_id: entry.tenantId,
      seq: entry.seq,
      actor: entry.actor,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: JSON.stringify(entry.before),
      after: JSON.stringify(entry.after),
      at: entry.at,
      prev_hash: entry.prevHash,
      hash: entry.hash,
    })
    .execute();
  await db
    .updateTable('audit_heads')
    .set({ seq: entry.seq, hash: entry.hash })
    .where('tenant_id', '=', entry.tenantId)
    .execute();
  return entry;
}

type AuditRow = {
  tenant_id: string;
  seq: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  at: Date;
  prev_hash: string;
  hash: string;
};

function toEntry(r: AuditRow): AuditEntry {
  return {
    tenantId: r.tenant_id,
    seq: Number(r.seq),
    actor: r.actor,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    at: r.at,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Newest first; filter by entity to show "who changed this plan/quota and when". */
export async function listAuditEntries(
  db: Db,
  tenantId: string,
  filter: { entityType?: string; entityId?: string; limit?: number; beforeSeq?: number } = {},
): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (filter.entityType) q = q.where('entity_type', '=', filter.entityType);
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
  if (filter.beforeSeq !== undefined) q = q.where('seq', '<', String(filter.beforeSeq));
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map(toEntry);
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBroken?: { tenantId: string; seq: number; reason: string };
}

const BATCH = 5000;

/** Walks each tenant's chain (or one tenant's) from the start and reports the first broken link. */
export async function verifyAuditChain(db: Db, tenantId?: string): Promise<AuditVerification> {
  const tenants = tenantId
    ? [tenantId]
    : (
        await sql<{
          tenant_id: string;
        }>`SELECT tenant_id FROM audit_heads UNION SELECT DISTINCT tenant_id FROM audit_log ORDER BY tenant_id`.execute(
          db,
        )
      ).rows.map((r) => r.tenant_id);
  let checked = 0;
  for (const tenant of tenants) {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    for (;;) {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('seq', '>=', String(expectedSeq))
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      for (const row of rows) {
        const e = toEntry(row);
        const broken = (reason: string): AuditVerification => ({
          ok: false,
          checked,
          firstBroken: { tenantId: tenant, seq: e.seq, reason },
        });
        if (e.seq !== expectedSeq)
          return {
            ok: false,
            checked,
            firstBroken: {
              tenantId: tenant,
              seq: expectedSeq,
              reason: `entry ${expectedSeq} is missing (next is ${e.seq})`,
            },
          };
        if (e.prevHash !== prevHash) return broken('prev_hash does not match the hash of the entry before it');
        if (auditEntryHash(e) !== e.hash)
          return broken('the entry’s content does not match its hash (changed after it was written)');
        prevHash = e.hash;
        expectedSeq++;
        checked++;
      }
      if (rows.length < BATCH) break;
    }
    const head = await db
      .selectFrom('audit_heads')
      .select(['seq', 'hash'])
      .where('tenant_id', '=', tenant)
      .executeTakeFirst();
    const last = expectedSeq - 1;
    if (head && (Number(head.seq) !== last || head.hash !== prevHash)) {
      return {
        ok: false,
        checked,
        firstBroken: {
          tenantId: tenant,
          seq: Number(head.seq),
          reason: `the chain ends at entry ${last} but its head says ${head.seq}: entries were removed from the end`,
        },
      };
    }
  }
  return { ok: true, checked };
}
