/**
 * Webhook delivery as HubSpot does it (platform notes §5): a POST whose body is a JSON array of events,
 * signed with signature v3 using the app's client secret, retried on failure with `attemptNumber` counting
 * up, and not retried on 400/401/403/404/405. Events are batched for a moment so a burst arrives together.
 */
import { createHmac } from 'node:crypto';
import type { ChangeEvent } from './portal.js';

export interface WebhookSubscription {
  id: number;
  eventType: 'deal.creation' | 'deal.propertyChange' | 'deal.deletion';
  /** For propertyChange: the one property this subscription watches. */
  propertyName?: string;
}

/** Inputs of the engine; never attain_* (our own writes must not come back as events). */
export const DEFAULT_SUBSCRIPTIONS: WebhookSubscription[] = [
  { id: 1001, eventType: 'deal.creation' },
  { id: 1002, eventType: 'deal.deletion' },
  ...['amount', 'dealstage', 'closedate', 'hubspot_owner_id', 'deal_currency_code', 'pipeline', 'dealtype'].map(
    (propertyName, i) => ({
      id: 1010 + i,
      eventType: 'deal.propertyChange' as const,
      propertyName,
    }),
  ),
];

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: WebhookSubscription['eventType'];
  attemptNumber: number;
  objectId: number;
  objectTypeId: '0-3';
  changeSource: string;
  changeFlag?: string;
  sourceId?: string;
  propertyName?: string;
  propertyValue?: string;
}

export interface Delivery {
  at: number;
  attemptNumber: number;
  events: number;
  status: number | null;
  error?: string;
}

export interface WebhookOptions {
  targetUrl: string | null;
  clientSecret: string;
  portalId: number;
  appId: number;
  subscriptions?: WebhookSubscription[];
  batchDelayMs?: number;
  maxEventsPerRequest?: number;
  /** Waits between attempts; its length + 1 is the number of attempts. */
  retryDelaysMs?: number[];
  now?: () => number;
}

const NOT_RETRIED = new Set([400, 401, 403, 404, 405]);

/** HubSpot's v3 signature: base64 HMAC-SHA256 over method + URI + body + timestamp. */
export function signV3(clientSecret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', clientSecret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

export class WebhookDispatcher {
  readonly deliveries: Delivery[] = [];
  private queue: WebhookEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private eventId = 1;
  private closed = false;
  targetUrl: string | null;

  constructor(private readonly options: WebhookOptions) {
    this.targetUrl = options.targetUrl;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Turns a portal change into the events its subscriptions ask for. */
  record(change: ChangeEvent): void {
    if (!this.targetUrl || this.closed) return;
    for (const s of this.options.subscriptions ?? DEFAULT_SUBSCRIPTIONS) {
      const wanted =
        (s.eventType === 'deal.creation' && change.kind === 'creation') ||
        (s.eventType === 'deal.deletion' && change.kind === 'deletion') ||
        (s.eventType === 'deal.propertyChange' &&
          change.kind === 'propertyChange' &&
          s.propertyName === change.propertyName);
      if (!wanted) continue;
      this.queue.push({
        eventId: this.eventId++,
        subscriptionId: s.id,
        portalId: this.options.portalId,
        appId: this.options.appId,
        occurredAt: change.occurredAt,
        subscriptionType: s.eventType,
        attemptNumber: 0,
        objectId: Number(change.objectId),
        objectTypeId: '0-3',
        changeSource: change.changeSource,
        ...(change.kind === 'creation' ? { changeFlag: 'CREATED' } : {}),
        ...(change.kind === 'deletion' ? { changeFlag: 'DELETED' } : {}),
        ...(change.propertyName !== undefined
          ? { propertyName: change.propertyName, propertyValue: change.propertyValue ?? '' }
          : {}),
      });
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.batchDelayMs ?? 50);
  }

  private flush(): void {
    this.timer = null;
    const max = this.options.maxEventsPerRequest ?? 100;
    while (this.queue.length > 0) {
      const events = this.queue.splice(0, max);
      const run = this.deliver(events, 0).finally(() => this.inflight.delete(run));
      this.inflight.add(run);
    }
  }

  private async deliver(events: WebhookEvent[], attemptNumber: number): Promise<void> {
    const url = this.targetUrl;
    if (!url || this.closed) return;
    const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber })));
    const timestamp = String(this.now());
    const delivery: Delivery = { at: this.now(), attemptNumber, events: events.length, status: null };
    this.deliveries.push(delivery);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-HubSpot-Request-Timestamp': timestamp,
          'X-HubSpot-Signature-v3': signV3(this.options.clientSecret, 'POST', url, body, timestamp),
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      delivery.status = response.status;
      await response.arrayBuffer();
      if (response.ok || NOT_RETRIED.has(response.status)) return;
    } catch (e) {
      delivery.error = e instanceof Error ? e.message : String(e);
    }
    const delays = this.options.retryDelaysMs ?? [1_000, 5_000, 30_000];
    const wait = delays[attemptNumber];
    if (wait === undefined || this.closed) return;
    await new Promise((resolve) => setTimeout(resolve, wait).unref());
    await this.deliver(events, attemptNumber + 1);
  }

  /** Resolves when every queued event has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.timer || this.inflight.size > 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.flush();
      }
      await Promise.all([...this.inflight]);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
