/**
 * Runs the service: opens the store (migrations run at open), starts the background jobs, serves the app, and
 * shuts down gracefully on SIGTERM/SIGINT — readiness turns 503 first, the listener stops taking connections,
 * in-flight requests finish (up to SHUTDOWN_GRACE_SECONDS), then jobs finish and the database closes.
 * `attain start` (npm start) calls `startService`; tests use `createApp` directly and never listen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps, type RecalcPort } from './app.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { openStore, type Store } from './store/index.js';

/** The background side of the process: the recalculation queue and cron schedules. */
export interface Jobs {
  recalc: RecalcPort;
  readiness(): Promise<{ ok: boolean; detail?: string }>;
  /** Stops taking new work and waits for running jobs. */
  stop(): Promise<void>;
}

export interface RunningService {
  store: Store;
  jobs: Jobs;
  url: string;
  /** Idempotent; resolves when everything is closed. */
  stop(reason: string): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  startJobs(store: Store): Promise<Jobs>;
  /** Runs after the store and jobs are up and before the port opens (e.g. loading the demo tenant). */
  beforeListen?(store: Store, jobs: Jobs): Promise<void>;
  /** Optional app dependencies known only after start-up (e.g. the HubSpot routes of the sandbox demo). */
  appDeps?(): Pick<AppDeps, 'hubspot'>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startService(options: StartOptions): Promise<RunningService> {
  const { config, logger } = options;
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: logger });
  let jobs: Jobs | undefined;
  try {
    jobs = await options.startJobs(store);
    await options.beforeListen?.(store, jobs);
    const { app, drain } = createApp({
      store,
      logger,
      now: () => new Date(),
      recalc: jobs.recalc,
      readiness: jobs.readiness,
      ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
      ...(options.appDeps?.() ?? {}),
    });
    const http: Server = createServer(app);
    // Keep-alive sockets must not hold shutdown open for their idle timeout.
    http.keepAliveTimeout = 5_000;
    const address = await listen(http, config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
    logger.info({ url, store: store.kind, location: store.location }, 'listening');

    let stopping: Promise<void> | undefined;
    const runningJobs = jobs;
    const stop = (reason: string): Promise<void> => {
      stopping ??= (async () => {
        logger.info({ reason }, 'shutting down: finishing in-flight requests and jobs');
        drain();
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        const grace = setTimeout(() => {
          logger.warn({ graceMs: config.shutdownGraceMs }, 'grace period over: closing remaining connections');
          http.closeAllConnections();
        }, config.shutdownGraceMs);
        grace.unref();
        await closed;
        clearTimeout(grace);
        await runningJobs.stop();
        await store.close();
        logger.info('stopped');
      })();
      return stopping;
    };
    return { store, jobs, url, stop };
  } catch (err) {
    await jobs?.stop().catch(() => undefined);
    await store.close();
    throw err;
  }
}

/** SIGTERM/SIGINT → graceful stop, then exit. A second signal exits at once. */
export function stopOnSignals(service: RunningService, logger: Logger): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    received = true;
    service.stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
