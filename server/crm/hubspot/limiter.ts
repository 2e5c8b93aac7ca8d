/**
 * Rolling-window limiter matching HubSpot's "N requests in any 10 seconds per app per portal" rule.
 *
 * A slot is taken when a request is sent and stamped when its response arrives; it stays counted until
 * `intervalMs` after that. The server sees a request somewhere between our send and our receive, so counting
 * from the receive time means every request the server counts in its window is also counted here: the
 * limiter can never let the server's window overflow, whatever the network latency.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type Release = () => void;

interface Slot {
  /** null while the request is in flight. */
  doneAt: number | null;
}

export class RollingWindowLimiter {
  private readonly slots: Slot[] = [];
  private readonly waiters: Array<(release: Release) => void> = [];
  private timer: unknown = null;
  private pausedUntil = 0;

  constructor(
    readonly limit: number,
    readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`[Attain] limiter limit must be a positive integer, got ${limit}`);
  }

  /** Waits for a slot; call the returned function when the response (or failure) has arrived. */
  acquire(): Promise<Release> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.pump();
    });
  }

  /** Stops granting slots until `until` (ms epoch): the server told us the budget is spent. */
  pause(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
    this.pump();
  }

  /** Requests counted in the current window (in flight or finished within it). */
  inWindow(): number {
    this.prune();
    return this.slots.length;
  }

  private prune(): void {
    const horizon = this.clock.now() - this.intervalMs;
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const doneAt = this.slots[i]!.doneAt;
      if (doneAt !== null && doneAt <= horizon) this.slots.splice(i, 1);
    }
  }

  private pump(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    this.prune();
    const now = this.clock.now();
    while (this.waiters.length > 0 && now >= this.pausedUntil && this.slots.length < this.limit) {
      const slot: Slot = { doneAt: null };
      this.slots.push(slot);
      const grant = this.waiters.shift()!;
      let released = false;
      grant(() => {
        if (released) return;
        released = true;
        slot.doneAt = this.clock.now();
        this.pump();
      });
    }
    if (this.waiters.length === 0) return;
    let wakeAt = Math.max(now, this.pausedUntil);
    if (this.slots.length >= this.limit) {
      const expiry = this.earliestExpiry();
      // Every slot is in flight: the next release pumps again.
      if (expiry === null && wakeAt <= now) return;
      if (expiry !== null) wakeAt = Math.max(wakeAt, expiry);
    }
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, wakeAt - now),
    );
  }

  private earliestExpiry(): number | null {
    let earliest: number | null = null;
    for (const s of this.slots) {
      if (s.doneAt !== null && (earliest === null || s.doneAt < earliest)) earliest = s.doneAt;
    }
    return earliest === null ? null : earliest + this.intervalMs;
  }
}

/** Budget of one portal: every request takes the rolling slot; searches also take the per-second one. */
export interface PortalBudget {
  rolling: RollingWindowLimiter;
  search: RollingWindowLimiter;
}

export interface PortalLimits {
  /** Requests per rolling window per app per portal (HubSpot public apps: 100 per 10 s). */
  requestsPerInterval: number;
  intervalMs: number;
  /** Search requests per second per token (HubSpot documents 4–5; 4 is the safe figure). */
  searchesPerSecond: number;
}

export const DEFAULT_PORTAL_LIMITS: PortalLimits = {
  requestsPerInterval: 100,
  intervalMs: 10_000,
  searchesPerSecond: 4,
};

/**
 * One budget per portal for the whole process, so sync, webhooks and write-back that each build a connector
 * for the same portal still share HubSpot's budget. Several processes must split the budget between them
 * (give each `requestsPerInterval / instances`).
 */
export class PortalBudgets {
  private readonly budgets = new Map<string, PortalBudget>();

  constructor(private readonly clock: Clock = systemClock) {}

  forPortal(portalKey: string, limits: PortalLimits = DEFAULT_PORTAL_LIMITS): PortalBudget {
    let budget = this.budgets.get(portalKey);
    if (!budget) {
      budget = {
        rolling: new RollingWindowLimiter(limits.requestsPerInterval, limits.intervalMs, this.clock),
        search: new RollingWindowLimiter(limits.searchesPerSecond, 1_000, this.clock),
      };
      this.budgets.set(portalKey, budget);
    }
    return budget;
  }
}

export const processPortalBudgets = new PortalBudgets();
