/** Load from autocannon over loopback for a bounded time, latency percentiles taken from every response. */
import autocannon from 'autocannon';

export interface LoadFigures {
  p50: number;
  p95: number;
  rps: number;
  non2xx: number;
  completed: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Requests per second; undefined runs as fast as the connections go. */
  rate: number | undefined;
  seconds: number;
  headers?: Record<string, string>;
  /** Path and extra headers of the next request. */
  next: () => { path: string; headers?: Record<string, string> };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function fixedRateLoad(options: LoadOptions): Promise<LoadFigures> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.rate ? { overallRate: options.rate } : {}),
        duration: options.seconds,
        ...(options.headers ? { headers: options.headers } : {}),
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const { path, headers } = options.next();
              return { ...req, path, headers: { ...req.headers, ...headers } };
            },
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    // The tracker emits (client, status, bytes, responseTime); the typings omit the client argument.
    (instance as unknown as NodeJS.EventEmitter).on(
      'response',
      (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
        times.push(responseTime);
      },
    );
  });
  times.sort((a, b) => a - b);
  return {
    p95: percentile(times, 95),
    p50: percentile(times, 50),
    rps: result.requests.total / options.seconds,
    non2xx: result.non2xx + result.errors,
    completed: result.requests.total,
  };
}
