/**
 * Every HubSpot request of a portal goes through one caller: it takes the portal's rolling slot (and the
 * search slot for searches), bounds the wait for an answer, and retries what a retry can fix.
 *
 * The SDK's own retry/limiter decorators are process-wide (platform notes §6.1), so the client is built with
 * one attempt and no limiter, and this module does both per portal:
 * - 429 TEN_SECONDLY_ROLLING: pause the whole portal for Retry-After (or one window when absent), then retry;
 * - 429 secondly search limit: pause searches for Retry-After (or 1 s), then retry;
 * - 5xx, timeouts, connection resets: exponential backoff with full jitter;
 * - DAILY 429, 401, 403, 404, 409 and other 4xx: no retry.
 */
import { classify, HubSpotError, RequestTimeoutError, type FailureKind } from './errors.js';
import { systemClock, type Clock, type PortalBudget } from './limiter.js';

export interface RetryPolicy {
  /** Total attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 30_000 };

export interface RetryEvent {
  label: string;
  attempt: number;
  kind: FailureKind;
  status: number | null;
  waitMs: number;
}

export interface CallerOptions {
  budget: PortalBudget;
  /** The portal's rolling window, used as the wait when a 429 names no Retry-After. */
  intervalMs: number;
  retry?: RetryPolicy;
  /** How long to wait for an answer before treating the request as failed (and retrying it). */
  timeoutMs?: number;
  clock?: Clock;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

export class HubSpotCaller {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: CallerOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  async call<T>(label: string, send: () => Promise<T>, kind: 'request' | 'search' = 'request'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(send, kind);
      } catch (raw) {
        const error = classify(raw, this.clock.now());
        if (!error.retryable || attempt >= this.retry.maxAttempts) throw withLabel(error, label, attempt);
        const waitMs = this.waitBefore(error, attempt);
        this.options.onRetry?.({ label, attempt, kind: error.kind, status: error.status, waitMs });
        if (error.kind === 'rate-limit') this.options.budget.rolling.pause(this.clock.now() + waitMs);
        else if (error.kind === 'search-rate-limit') this.options.budget.search.pause(this.clock.now() + waitMs);
        else await new Promise<void>((resolve) => this.clock.setTimeout(resolve, waitMs));
      }
    }
  }

  private async once<T>(send: () => Promise<T>, kind: 'request' | 'search'): Promise<T> {
    const releaseSearch = kind === 'search' ? await this.options.budget.search.acquire() : null;
    const release = await this.options.budget.rolling.acquire();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeoutError(this.timeoutMs)), this.timeoutMs);
        timer.unref?.();
      });
      return await Promise.race([send(), timeout]);
    } finally {
      clearTimeout(timer);
      release();
      releaseSearch?.();
    }
  }

  private waitBefore(error: HubSpotError, attempt: number): number {
    if (error.kind === 'rate-limit') return error.retryAfterMs ?? this.options.intervalMs;
    if (error.kind === 'search-rate-limit') return error.retryAfterMs ?? 1_000;
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.max(1, Math.round(this.random() * ceiling));
  }
}

function withLabel(error: HubSpotError, label: string, attempts: number): HubSpotError {
  const suffix = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new HubSpotError(
    error.kind,
    `${label}: ${error.message}${suffix}`,
    error.status,
    error.body,
    error.retryAfterMs,
    error.policyName,
  );
}
