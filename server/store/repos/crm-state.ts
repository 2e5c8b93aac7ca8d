import { sql } from 'kysely';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

/**
 * What the CRM side needs to be idempotent and resumable: the last value we wrote per record property
 * (write-back sends only differences), sync checkpoints per stream, and the webhook inbox that drops
 * redeliveries by their dedupe key.
 */

export interface WrittenValue {
  crm: string;
  objectType: string;
  recordId: string;
  property: string;
  value: string | null;
}

export async function getWrittenValues(
  db: Db,
  tenantId: string,
  crm: string,
  objectType: string,
  recordIds: readonly string[],
): Promise<WrittenValue[]> {
  if (recordIds.length === 0) return [];
  const rows = await db
    .selectFrom('writeback_state')
    .select(['crm', 'object_type', 'record_id', 'property', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('crm', '=', crm)
    .where('object_type', '=', objectType)
    .where('record_id', 'in', recordIds)
    .execute();
  return rows.map((r) => ({
    crm: r.crm,
    objectType: r.object_type,
    recordId: r.record_id,
    property: r.property,
    value: r.value,
  }));
}

export async function recordWrittenValues(
  db: Db,
  tenantId: string,
  values: readonly WrittenValue[],
  at: Date,
): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'writeback_state',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'crm', type: 'text' },
        { name: 'object_type', type: 'text' },
        { name: 'record_id', type: 'text' },
        { name: 'property', type: 'text' },
        { name: 'value', type: 'text' },
        { name: 'written_at', type: 'timestamptz' },
      ],
      conflict: ['tenant_id', 'crm', 'object_type', 'record_id', 'property'],
    },
    values.map((v) => ({
      tenant_id: tenantId,
      crm: v.crm,
      object_type: v.objectType,
      record_id: v.recordId,
      property: v.property,
      value: v.value,
      written_at: at.toISOString(),
    })),
  );
}

export async function getSyncCheckpoint(
  db: Db,
  tenantId: string,
  crm: string,
  stream: string,
): Promise<Record<string, unknown> | undefined> {
  const r = await db
    .selectFrom('sync_checkpoints')
    .select('cursor')
    .where('tenant_id', '=', tenantId)
    .where('crm', '=', crm)
    .where('stream', '=', stream)
    .executeTakeFirst();
  return r?.cursor;
}

export async function saveSyncCheckpoint(
  db: Db,
  tenantId: string,
  crm: string,
  stream: string,
  cursor: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await db
    .insertInto('sync_checkpoints')
    .values({ tenant_id: tenantId, crm, stream, cursor: JSON.stringify(cursor), updated_at: at })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'crm', 'stream']).doUpdateSet({ cursor: JSON.stringify(cursor), updated_at: at }),
    )
    .execute();
}

/** Stores a webhook delivery once. Returns its inbox id, or null when this dedupe key was seen before (a redelivery). */
export async function acceptWebhook(
  db: Db,
  tenantId: string,
  source: string,
  dedupeKey: string,
  payload: unknown,
): Promise<string | null> {
  const r = await db
    .insertInto('webhook_inbox')
    .values({
      tenant_id: tenantId,
      source,
      dedupe_key: dedupeKey,
      payload: JSON.stringify(payload),
      processed_at: null,
      error: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'source', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

export interface InboxItem {
  id: string;
  source: string;
  dedupeKey: string;
  payload: unknown;
  receivedAt: Date;
}

/** Oldest unprocessed deliveries first; SKIP LOCKED lets several instances drain the inbox side by side. Call in a transaction. */
export async function claimWebhooks(db: Db, tenantId: string, limit: number): Promise<InboxItem[]> {
  const rows = await db
    .selectFrom('webhook_inbox')
    .select(['id', 'source', 'dedupe_key', 'payload', 'received_at'])
    .where('tenant_id', '=', tenantId)
    .where('processed_at', 'is', null)
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    dedupeKey: r.dedupe_key,
    payload: r.payload,
    receivedAt: r.received_at,
  }));
}

export async function markWebhookProcessed(
  db: Db,
  tenantId: string,
  id: string,
  at: Date,
  error?: string,
): Promise<void> {
  await db
    .updateTable('webhook_inbox')
    .set({ processed_at: at, error: error ?? null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function countPendingWebhooks(db: Db, tenantId: string): Promise<number> {
  const r = await db
    .selectFrom('webhook_inbox')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
