/**
 * `/healthz`: the process is alive (no dependencies checked, so a slow database does not get it restarted).
 * `/readyz`: it can serve — the database answers, every migration is applied, no shutdown is under way.
 */
import { Migrator, sql } from 'kysely';
import { migrationProvider } from '../store/migrations.js';
import type { Feature } from '../app.js';

export const healthFeature: Feature = ({ app, deps, isDraining }) => {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (req, res) => {
    const checks: Record<string, string> = {};
    let ok = true;
    if (isDraining()) {
      checks.shutdown = 'draining';
      ok = false;
    }
    try {
      await sql`SELECT 1`.execute(deps.store.db);
      checks.database = 'ok';
      const migrations = await new Migrator({ db: deps.store.db, provider: migrationProvider }).getMigrations();
      const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
      checks.migrations = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
      if (pending.length > 0) ok = false;
    } catch (err) {
      req.log.warn({ err }, 'readiness: database check failed');
      checks.database = 'unreachable';
      ok = false;
    }
    if (deps.readiness) {
      const extra = await deps.readiness().catch(() => ({ ok: false, detail: 'check failed' }));
      checks.jobs = extra.ok ? 'ok' : (extra.detail ?? 'not ready');
      if (!extra.ok) ok = false;
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not-ready', checks });
  });
};
