import { createTask, type RunCoordinator, type ScheduledTask, type TaskContext } from 'node-cron';
import { sql } from 'kysely';
import type { Db } from '../store/repos/db.js';

/**
 * Cron schedules that run once per tick across every instance. node-cron asks the coordinator
 * `shouldRun("<task>:<slot time>", ttlMs)` on each tick; the first instance to insert that key into
 * `job_leases` wins (INSERT … ON CONFLICT DO UPDATE … WHERE expired RETURNING). The lease is never released
 * when a run finishes: a late instance asking about the same slot must still be told no. Leases are keyed
 * by slot, so an instance killed mid-run costs that one tick, never a double run, and the next tick is
 * elected afresh.
 */

export interface LeaseLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Takes the lease for `key` if nobody holds it (or the holder's lease expired). Database clock, so instances need not agree on time. */
export async function tryTakeLease(
  db: Db,
  key: string,
  holder: string,
  ttlMs: number,
  tenantId = '*',
): Promise<boolean> {
  const r = await sql<{ holder: string }>`
    INSERT INTO job_leases (tenant_id, key, holder, expires_at)
    VALUES (${tenantId}, ${key}, ${holder}, now() + ${ttlMs} * interval '1 millisecond')
    ON CONFLICT (tenant_id, key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE job_leases.expires_at < now()
    RETURNING holder`.execute(db);
  return r.rows.length === 1;
}

/** A node-cron RunCoordinator over the lease table (use per task, or globally via node-cron's setRunCoordinator). */
export function leaseCoordinator(db: Db, holder: string, log?: LeaseLog): RunCoordinator {
  return {
    async shouldRun(key, ttlMs) {
      const won = await tryTakeLease(db, key, holder, ttlMs);
      if (won) log?.info({ key, holder }, 'cron tick elected');
      return won;
    },
  };
}

export interface ScheduleOptions {
  /** How long the tick's lease stands (ms). Keep it longer than instances' clock skew plus a run; default 10 minutes. */
  leaseMs?: number;
  timezone?: string;
}

export interface Scheduler {
  /** Adds a named schedule (6-field expressions allow seconds). The name is part of the lease key: keep it stable. */
  schedule(
    name: string,
    expression: string,
    run: (tick: { slot: Date }) => Promise<void>,
    options?: ScheduleOptions,
  ): void;
  /** Stops ticking and waits for runs in progress (up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

const LEASE_RETENTION_SQL = sql`DELETE FROM job_leases WHERE tenant_id = '*' AND expires_at < now() - interval '1 day'`;

export function createScheduler(db: Db, options: { holder: string; log?: LeaseLog }): Scheduler {
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<void>>();
  const coordinator = leaseCoordinator(db, options.holder, options.log);
  let stopping = false;

  return {
    schedule(name, expression, run, scheduleOptions = {}) {
      const task = createTask(
        expression,
        (ctx: TaskContext) => {
          if (stopping) return;
          const p = run({ slot: ctx.date })
            .then(() => LEASE_RETENTION_SQL.execute(db))
            .then(
              () => undefined,
              (error: unknown) =>
                options.log?.error({ task: name, err: (error as Error).message }, 'scheduled run failed'),
            )
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
          return p;
        },
        {
          name,
          distributed: true,
          runCoordinator: coordinator,
          distributedLease: scheduleOptions.leaseMs ?? 10 * 60_000,
          noOverlap: true,
          ...(scheduleOptions.timezone ? { timezone: scheduleOptions.timezone } : {}),
        },
      );
      tasks.push(task);
      void task.start();
    },
    async stop(timeoutMs = 30_000) {
      stopping = true;
      await Promise.all(tasks.map((t) => t.stop()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}
