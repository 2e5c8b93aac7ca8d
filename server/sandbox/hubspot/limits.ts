/**
 * HubSpot's limits as the sandbox enforces them, and the call log tests read to prove a client stayed inside.
 */
import { z } from 'zod';

export const sandboxLimitsSchema = z.object({
  /** Requests per rolling window per app per portal; public (OAuth) apps get 100 per 10 s. */
  requestsPerInterval: z.number().int().positive().default(100),
  intervalMs: z.number().int().positive().default(10_000),
  /** Search requests per rolling second per token. */
  searchesPerSecond: z.number().int().positive().default(4),
  /** Requests per day per portal; null = unlimited. */
  dailyLimit: z.number().int().positive().nullable().default(null),
  batchMax: z.number().int().positive().default(100),
  searchPageMax: z.number().int().positive().default(200),
  searchResultCap: z.number().int().positive().default(10_000),
  ownersPageMax: z.number().int().positive().default(500),
  accessTokenTtlSeconds: z.number().int().positive().default(1_800),
});
export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;
export type SandboxLimitsInput = z.input<typeof sandboxLimitsSchema>;

/** Counts events in a rolling window, oldest first, amortised O(1). */
export class RollingCounter {
  private readonly times: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    readonly intervalMs: number,
  ) {}

  private prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.intervalMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }

  count(now: number): number {
    this.prune(now);
    return this.times.length - this.head;
  }

  /** Takes a slot if there is one; otherwise says when the oldest counted event leaves the window. */
  take(now: number): { ok: true; remaining: number } | { ok: false; retryAfterMs: number } {
    this.prune(now);
    const used = this.times.length - this.head;
    if (used >= this.limit)
      return { ok: false, retryAfterMs: Math.max(1, this.times[this.head]! + this.intervalMs - now) };
    this.times.push(now);
    return { ok: true, remaining: this.limit - used - 1 };
  }
}

export type CallOutcome =
  | 'ok'
  | 'error' // the handler answered 4xx on its own (validation, not found, cap)
  | 'unauthorized'
  | 'rate-limited'
  | 'search-rate-limited'
  | 'daily-limited'
  | 'fault-429'
  | 'fault-5xx'
  | 'fault-timeout'
  | 'fault-reset';

export interface CallRecord {
  at: number;
  method: string;
  path: string;
  appId: number | null;
  /** Passed the rate limiter, so it used part of the budget. */
  counted: boolean;
  outcome: CallOutcome;
  status: number | null;
}

export interface CallStats {
  total: number;
  counted: number;
  byOutcome: Partial<Record<CallOutcome, number>>;
  /** Most requests that arrived within any one rolling window (all arrivals, refused ones too). */
  maxArrivalsInWindow: number;
  /** Most budget-counted requests within any one rolling window. */
  maxCountedInWindow: number;
}

export function maxInWindow(times: readonly number[], intervalMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[start]! <= times[end]! - intervalMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export function callStats(log: readonly CallRecord[], intervalMs: number): CallStats {
  const byOutcome: Partial<Record<CallOutcome, number>> = {};
  for (const c of log) byOutcome[c.outcome] = (byOutcome[c.outcome] ?? 0) + 1;
  const arrivals = log.map((c) => c.at);
  const counted = log.filter((c) => c.counted).map((c) => c.at);
  return {
    total: log.length,
    counted: counted.length,
    byOutcome,
    maxArrivalsInWindow: maxInWindow(arrivals, intervalMs),
    maxCountedInWindow: maxInWindow(counted, intervalMs),
  };
}
