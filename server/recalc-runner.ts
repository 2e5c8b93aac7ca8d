/**
 * Full recalculations requested through the API (POST /recalculations, and after an import or a quota change),
 * coalesced per tenant: at most one run per tenant is running and at most one is waiting. A request that
 * arrives while a run is going joins the waiting run (which starts after the current one and so reads the
 * newest data); a burst of requests becomes two runs, never N. The caller gets the run id as soon as its run
 * has started. `stop()` waits for running and waiting runs (graceful shutdown).
 */
import type { RecalcPort } from './app.js';
import type { Logger } from './log.js';

/** Starts a full recalculation of the tenant; calls `onStarted` with the run id once the run is recorded. */
export type StartTenantRun = (tenantId: string, actor: string, onStarted: (runId: string) => void) => Promise<unknown>;

interface Pending {
  started: Promise<string>;
  resolveStarted(runId: string): void;
  rejectStarted(err: unknown): void;
  actors: Set<string>;
}

export class TenantRecalcRunner implements RecalcPort {
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, Pending>();
  private stopped = false;

  constructor(
    private readonly startRun: StartTenantRun,
    private readonly logger: Logger,
  ) {}

  async request(input: { tenantId: string; actor: string }): Promise<{ runId: string }> {
    if (this.stopped) throw new Error('[Attain] shutting down: no new recalculations');
    const { tenantId, actor } = input;
    const queued = this.waiting.get(tenantId);
    if (queued) {
      queued.actors.add(actor);
      return { runId: await queued.started };
    }
    const pending = this.newPending(actor);
    const current = this.running.get(tenantId);
    if (current) {
      this.waiting.set(tenantId, pending);
      void current.then(() => this.launch(tenantId, pending));
    } else {
      this.launch(tenantId, pending);
    }
    return { runId: await pending.started };
  }

  /** Waits for every running and waiting run. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running.size > 0 || this.waiting.size > 0) {
      await Promise.allSettled([...this.running.values(), ...[...this.waiting.values()].map((p) => p.started)]);
    }
  }

  private newPending(actor: string): Pending {
    let resolveStarted!: (runId: string) => void;
    let rejectStarted!: (err: unknown) => void;
    const started = new Promise<string>((resolve, reject) => {
      resolveStarted = resolve;
      rejectStarted = reject;
    });
    // A failure before the run starts is reported to the requesters; never an unhandled rejection.
    started.catch(() => undefined);
    return { started, resolveStarted, rejectStarted, actors: new Set([actor]) };
  }

  private launch(tenantId: string, pending: Pending): void {
    if (this.waiting.get(tenantId) === pending) this.waiting.delete(tenantId);
    const actor = [...pending.actors].join(', ');
    let runId: string | undefined;
    const done = this.startRun(tenantId, actor, (id) => {
      runId = id;
      pending.resolveStarted(id);
    }).then(
      () => {
        if (runId === undefined)
          pending.rejectStarted(new Error('[Attain] the recalculation finished without a run id'));
      },
      (err: unknown) => {
        this.logger.error({ err, tenantId, runId }, 'recalculation failed');
        pending.rejectStarted(err);
      },
    );
    const tracked = done.finally(() => {
      if (this.running.get(tenantId) === tracked) this.running.delete(tenantId);
    });
    this.running.set(tenantId, tracked);
  }
}
