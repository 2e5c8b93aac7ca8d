/**
 * The HubSpot side of a running process: per tenant, every sync, webhook-inbox drain and publish runs one at
 * a time (a promise chain per tenant), so a burst of webhooks coalesces into a few passes and nothing races
 * on the dirty set or the outbox.
 *
 * Webhook path: the receiver stores events in the inbox and calls `kick`; a pass claims every pending event,
 * coalesces them per deal, RE-READS those deals from HubSpot (an event's value and order are never trusted),
 * upserts them (unchanged engine inputs → nothing marked), marks the partitions the engine names, marks the
 * events processed — all in one transaction — and then publishes (recalculate → write back).
 * Sweep: `sweep` runs the incremental sync from its checkpoint, drains the inbox and publishes; scheduled by
 * cron (server/jobs) it catches events HubSpot dropped and retries write-backs left in the outbox.
 */
import { sql } from 'kysely';
import type { Deal } from '../../src/data/index.js';
import type { CalcEngine } from '../calc/engine-port.js';
import { domainEngine } from '../calc/engine.js';
import { loadCalcInputs } from '../calc/load-inputs.js';
import type { Capabilities, CrmConnector, RecordProblem } from '../crm/port.js';
import { createScheduler, type Scheduler } from '../jobs/cron.js';
import { deleteDeal, markWebhookProcessed, upsertDeals, type DealChange, type Store } from '../store/index.js';
import { publishDirty, type PublishReport } from '../writeback/publish.js';
import { markDirty, replaceDealContacts } from './dirty.js';
import { syncHubSpot, syncSettings, type SyncReport } from './hubspot-sync.js';
import { hubspotEventSchema, type HubSpotEvent } from './webhook-events.js';

export interface ServiceLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface HubSpotSyncServiceOptions {
  store: Pick<Store, 'db'>;
  now: () => Date;
  connectorFor: (tenantId: string) => Promise<CrmConnector>;
  engine?: CalcEngine;
  log?: ServiceLog;
  /** Called after each publish (the demo prints what was written; tests measure latency). */
  onPublished?: (tenantId: string, report: PublishReport) => void;
}

export interface InboxReport {
  events: number;
  deals: number;
  changed: number;
  deleted: number;
  problems: RecordProblem[];
}

const INBOX_BATCH = 1000;

export class HubSpotSyncService {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly kicked = new Set<string>();
  private readonly connectors = new Map<string, Promise<CrmConnector>>();
  private readonly caps = new Map<string, Promise<Capabilities>>();
  private readonly engine: CalcEngine;
  private scheduler: Scheduler | null = null;

  constructor(private readonly options: HubSpotSyncServiceOptions) {
    this.engine = options.engine ?? domainEngine;
  }

  private connector(tenantId: string): Promise<CrmConnector> {
    let c = this.connectors.get(tenantId);
    if (!c) {
      c = this.options.connectorFor(tenantId);
      c.catch(() => this.connectors.delete(tenantId));
      this.connectors.set(tenantId, c);
    }
    return c;
  }

  /** Runs `task` after everything already queued for the tenant. */
  private serial<T>(tenantId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(tenantId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.chains.set(tenantId, settled);
    void settled.then(() => {
      if (this.chains.get(tenantId) === settled) this.chains.delete(tenantId);
    });
    return next;
  }

  /** Incremental sync + publish. */
  syncAndPublish(tenantId: string): Promise<{ sync: SyncReport; publish: PublishReport }> {
    return this.serial(tenantId, async () => {
      const connector = await this.connector(tenantId);
      const sync = await syncHubSpot({
        store: this.options.store,
        tenantId,
        connector,
        now: this.options.now,
        engine: this.engine,
      });
      const publish = await this.publish(tenantId, connector);
      return { sync, publish };
    });
  }

  /** Webhooks arrived: drain the inbox and publish, once however often it is kicked meanwhile. */
  kick(tenantId: string): void {
    if (this.kicked.has(tenantId)) return;
    this.kicked.add(tenantId);
    void this.serial(tenantId, async () => {
      this.kicked.delete(tenantId);
      const connector = await this.connector(tenantId);
      const inbox = await this.drainInbox(tenantId, connector);
      if (inbox.events > 0) await this.publish(tenantId, connector);
    }).catch((error: unknown) =>
      this.options.log?.error(
        { tenantId, err: (error as Error).message },
        'webhook processing failed; the sweep retries',
      ),
    );
  }

  /** The safety net: incremental sync, inbox, publish (also resends write-backs left in the outbox). */
  sweep(tenantId: string): Promise<{ sync: SyncReport; inbox: InboxReport; publish: PublishReport }> {
    return this.serial(tenantId, async () => {
      this.caps.delete(tenantId);
      const connector = await this.connector(tenantId);
      const sync = await syncHubSpot({
        store: this.options.store,
        tenantId,
        connector,
        now: this.options.now,
        engine: this.engine,
      });
      const inbox = await this.drainInbox(tenantId, connector);
      const publish = await this.publish(tenantId, connector);
      return { sync, inbox, publish };
    });
  }

  /** Resolves once everything queued for the tenant so far has finished. */
  async idle(tenantId: string): Promise<void> {
    while (this.chains.has(tenantId)) await this.chains.get(tenantId);
  }

  /** Cron sweep of every listed tenant, elected once per tick across instances (server/jobs). */
  startSweep(input: { holder: string; expression: string; tenants: () => Promise<string[]> }): void {
    this.scheduler = createScheduler(this.options.store.db, {
      holder: input.holder,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
    this.scheduler.schedule('hubspot-sweep', input.expression, async () => {
      for (const tenantId of await input.tenants()) {
        await this.sweep(tenantId).catch((error: unknown) =>
          this.options.log?.error({ tenantId, err: (error as Error).message }, 'HubSpot sweep failed'),
        );
      }
    });
  }

  async stop(): Promise<void> {
    await this.scheduler?.stop();
    await Promise.all([...this.chains.values()]);
  }

  /** Portal capabilities change rarely (a tier upgrade): read once per process, again at each sweep. */
  private capabilities(tenantId: string, connector: CrmConnector): Promise<Capabilities> {
    let c = this.caps.get(tenantId);
    if (!c) {
      c = connector.capabilities();
      c.catch(() => this.caps.delete(tenantId));
      this.caps.set(tenantId, c);
    }
    return c;
  }

  private async publish(tenantId: string, connector: CrmConnector): Promise<PublishReport> {
    const report = await publishDirty({
      db: this.options.store.db,
      tenantId,
      connector,
      now: this.options.now,
      engine: this.engine,
    });
    this.options.onPublished?.(tenantId, report);
    return report;
  }

  private async drainInbox(tenantId: string, connector: CrmConnector): Promise<InboxReport> {
    const db = this.options.store.db;
    const report: InboxReport = { events: 0, deals: 0, changed: 0, deleted: 0, problems: [] };
    const settings = await syncSettings(db, tenantId);
    for (;;) {
      const rows = await sql<{ id: string; payload: unknown }>`
        SELECT id, payload FROM webhook_inbox WHERE tenant_id = ${tenantId} AND processed_at IS NULL AND source = 'hubspot'
        ORDER BY id LIMIT ${INBOX_BATCH}`.execute(db);
      if (rows.rows.length === 0) return report;
      report.events += rows.rows.length;
      const events: Array<{ inboxId: string; event: HubSpotEvent | null }> = rows.rows.map((r) => {
        const parsed = hubspotEventSchema.safeParse(r.payload);
        return { inboxId: r.id, event: parsed.success ? parsed.data : null };
      });
      const dealIds = [
        ...new Set(events.flatMap((e) => (e.event && isDealEvent(e.event) ? [String(e.event.objectId)] : []))),
      ];
      report.deals += dealIds.length;
      const read =
        dealIds.length > 0
          ? await connector.readDeals(dealIds)
          : { deals: [] as Deal[], problems: [], missing: [] as string[], modifiedAt: {} };
      report.problems.push(...read.problems);
      let deals = read.deals;
      const caps = dealIds.length > 0 ? await this.capabilities(tenantId, connector) : null;
      if (caps?.dealSplits && deals.length > 0) {
        const splits = await connector.readSplits(deals.map((d) => d.id));
        report.problems.push(...splits.problems);
        deals = deals.map((d) => {
          const s = splits.splits[d.id];
          return s && s.length > 0 ? { ...d, splits: s } : d;
        });
      }
      const contacts =
        settings.contacts !== false && deals.length > 0
          ? await connector.readDealContacts(deals.map((d) => d.id))
          : null;
      const problemIds = new Set(read.problems.map((p) => p.id));
      await db.transaction().execute(async (trx) => {
        const changes: DealChange[] = await upsertDeals(trx, tenantId, deals);
        const removed: Array<{ before: Deal; after: null }> = [];
        for (const id of read.missing) {
          const before = await deleteDeal(trx, tenantId, id);
          if (before) removed.push({ before, after: null });
        }
        report.changed += changes.length;
        report.deleted += removed.length;
        if (changes.length + removed.length > 0) {
          const inputs = await loadCalcInputs(trx, tenantId, { deals: false });
          const partitions = [...changes, ...removed].flatMap((c) =>
            this.engine.touchedPartitions(inputs, c.before, c.after),
          );
          await markDirty(trx, tenantId, { dealIds: changes.map((c) => c.after.id), partitions });
        }
        if (contacts) await replaceDealContacts(trx, tenantId, contacts);
        const at = this.options.now();
        const clean: string[] = [];
        for (const e of events) {
          const problem =
            e.event === null
              ? 'not a HubSpot event'
              : problemIds.has(String(e.event.objectId))
                ? 'the deal could not be read into Attain (see sync problems)'
                : undefined;
          if (problem) await markWebhookProcessed(trx, tenantId, e.inboxId, at, problem);
          else clean.push(e.inboxId);
        }
        if (clean.length > 0) {
          await sql`UPDATE webhook_inbox SET processed_at = ${at} WHERE tenant_id = ${tenantId} AND id IN (SELECT jsonb_array_elements_text(${JSON.stringify(clean)}::jsonb)::bigint)`.execute(
            trx,
          );
        }
      });
    }
  }
}

function isDealEvent(e: HubSpotEvent): boolean {
  // Defence in depth: Attain never subscribes to its own properties, and must never react to them.
  if (e.propertyName?.startsWith('attain_')) return false;
  return e.objectTypeId === '0-3' || e.subscriptionType.startsWith('deal.');
}
