/**
 * What went wrong in a HubSpot call, as data the caller can act on. The SDK throws `ApiException`
 * (`code`, `body`, `headers`), node-fetch throws `FetchError` for resets, and our timeout throws its own;
 * `classify` turns all of them into one shape and decides whether a retry can help.
 */

export type FailureKind =
  | 'rate-limit' // TEN_SECONDLY_ROLLING (or an unnamed burst limit): wait and retry
  | 'search-rate-limit' // per-second search limit: wait a second and retry
  | 'daily-limit' // DAILY: retrying only burns more of the day; give up until tomorrow
  | 'server' // 5xx
  | 'timeout'
  | 'network' // connection reset / refused / DNS
  | 'unauthorized' // 401
  | 'forbidden' // 403 (missing scope or feature not in the portal's tier)
  | 'not-found'
  | 'conflict' // 409 (e.g. property already exists)
  | 'bad-request'; // other 4xx

export class HubSpotError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number | null,
    readonly body: unknown,
    /** Milliseconds the server asked us to wait (Retry-After), when it said so. */
    readonly retryAfterMs: number | null,
    readonly policyName: string | null,
  ) {
    super(message);
    this.name = 'HubSpotError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

const RETRYABLE = new Set<FailureKind>(['rate-limit', 'search-rate-limit', 'server', 'timeout', 'network']);

export class RequestTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`HubSpot did not answer within ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

interface ApiExceptionLike {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

function isApiException(e: unknown): e is ApiExceptionLike {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number' && 'headers' in e;
}

function field(body: unknown, key: string): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const v = (body as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}

/** Retry-After is seconds (or an HTTP date); HubSpot's docs mention it for 429s without promising it. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value.trim()) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function classify(error: unknown, now: number): HubSpotError {
  if (error instanceof HubSpotError) return error;
  if (error instanceof RequestTimeoutError) return new HubSpotError('timeout', error.message, null, null, null, null);
  if (isApiException(error)) {
    const { code: status, body, headers } = error;
    const message = field(body, 'message') ?? `HubSpot answered ${status}`;
    const policyName = field(body, 'policyName');
    const retryAfterMs = parseRetryAfter(headers['retry-after'] ?? headers['Retry-After'], now);
    const make = (kind: FailureKind) => new HubSpotError(kind, message, status, body, retryAfterMs, policyName);
    if (status === 429) {
      if (policyName === 'DAILY') return make('daily-limit');
      if (policyName === 'SECONDLY' || message === 'You have reached your secondly limit.')
        return make('search-rate-limit');
      return make('rate-limit');
    }
    if (status >= 500) return make('server');
    if (status === 401) return make('unauthorized');
    if (status === 403) return make('forbidden');
    if (status === 404) return make('not-found');
    if (status === 409) return make('conflict');
    return make('bad-request');
  }
  const err = error as { code?: unknown; errno?: unknown; type?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : typeof err?.errno === 'string' ? err.errno : '';
  const message = typeof err?.message === 'string' ? err.message : String(error);
  if (NETWORK_CODES.has(code) || err?.name === 'FetchError' || /socket hang up|ECONNRESET/i.test(message)) {
    return new HubSpotError('network', `connection to HubSpot failed: ${message}`, null, null, null, null);
  }
  throw error;
}
