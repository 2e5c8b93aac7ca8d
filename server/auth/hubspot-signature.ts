/**
 * HubSpot request signature v3, for every request HubSpot makes on an app's behalf (`hubspot.fetch` from cards,
 * webhooks, workflow actions). The SDK's `Signature.isValid` is not used: it compares with `===`, does not decode
 * the URI and accepts timestamps from the future.
 *
 * The signed URI is the one HubSpot called, i.e. our PUBLIC origin + the original path and query: behind a
 * TLS-terminating proxy the local URL differs, so the origin is configuration, never the Host header.
 * The body is hashed as the raw bytes received; re-serialising parsed JSON would change them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { invalid, unauthorized } from '../http/errors.js';

export const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
/** HubSpot's window: requests older than five minutes are replays or badly delayed. */
export const MAX_SKEW_MS = 300_000;

/** The only sequences HubSpot decodes before signing; everything else stays percent-encoded. */
const DECODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

export type SignatureFailure = 'missing-signature' | 'bad-timestamp' | 'stale' | 'mismatch';

export interface SignedRequestParts {
  method: string;
  /** Public origin + original URL, e.g. https://api.attain.example/hubspot/cards/deals/1?appId=2 */
  uri: string;
  rawBody: Buffer | string;
  signature: string | undefined;
  timestamp: string | undefined;
}

export function signatureSourceUri(uri: string): string {
  return uri.replace(DECODED, (m) => decodeURIComponent(m));
}

export function signV3(secret: string, parts: Omit<SignedRequestParts, 'signature'>): string {
  const body = typeof parts.rawBody === 'string' ? parts.rawBody : parts.rawBody.toString('utf8');
  const source = parts.method.toUpperCase() + signatureSourceUri(parts.uri) + body + (parts.timestamp ?? '');
  return createHmac('sha256', secret).update(source, 'utf8').digest('base64');
}

/**
 * Checks one request against every accepted secret (more than one while a client secret is rotated).
 * Future timestamps beyond the window are refused too: a clock that far ahead is as suspicious as one behind.
 */
export function verifyV3(
  secrets: readonly string[],
  parts: SignedRequestParts,
  now: number,
): { ok: true } | { ok: false; reason: SignatureFailure } {
  if (!parts.signature) return { ok: false, reason: 'missing-signature' };
  const tsText = parts.timestamp ?? '';
  if (!/^\d{1,16}$/.test(tsText)) return { ok: false, reason: 'bad-timestamp' };
  if (Math.abs(now - Number(tsText)) > MAX_SKEW_MS) return { ok: false, reason: 'stale' };
  const given = Buffer.from(parts.signature, 'base64');
  let match = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signV3(secret, parts), 'base64');
    // Evaluate every secret: the loop's duration must not reveal which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: 'mismatch' };
}

type RawBodyRequest = Request & { rawBody?: Buffer };

/** The exact bytes of a request body, reading the stream ourselves unless an earlier parser kept them. */
const readRaw = express.raw({ type: () => true, limit: '1mb' });

function rawBodyOf(req: RawBodyRequest): Buffer | null {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (Buffer.isBuffer(req.body)) return req.body;
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  return hasBody ? null : Buffer.alloc(0);
}

export interface HubSpotSignatureOptions {
  /** App client secrets (current first; the previous one during a rotation). */
  secrets: () => readonly string[];
  /** Public origin HubSpot calls, e.g. https://api.attain.example (no trailing slash). */
  publicOrigin: string;
  now?: () => number;
  onFailure?: (req: Request, reason: SignatureFailure | 'raw-body-unavailable' | 'not-configured') => void;
}

/**
 * Express middleware: verifies the signature over the raw body, then parses a JSON body into `req.body`.
 * Failures go to the error handler as 401 and never reach the route.
 */
export function hubspotSignature(opts: HubSpotSignatureOptions): RequestHandler {
  const now = opts.now ?? Date.now;
  const origin = opts.publicOrigin.replace(/\/+$/, '');
  const reject = (
    req: Request,
    next: NextFunction,
    reason: SignatureFailure | 'raw-body-unavailable' | 'not-configured',
  ) => {
    opts.onFailure?.(req, reason);
    next(unauthorized('The request is not signed by HubSpot for this app.'));
  };
  return (req: Request, res: Response, next: NextFunction) => {
    readRaw(req, res, (err?: unknown) => {
      if (err) return next(err);
      const secrets = opts.secrets();
      if (secrets.length === 0) return reject(req, next, 'not-configured');
      const raw = rawBodyOf(req as RawBodyRequest);
      if (raw === null) return reject(req, next, 'raw-body-unavailable');
      const result = verifyV3(
        secrets,
        {
          method: req.method,
          uri: origin + req.originalUrl,
          rawBody: raw,
          signature: req.get(SIGNATURE_HEADER),
          timestamp: req.get(TIMESTAMP_HEADER),
        },
        now(),
      );
      if (!result.ok) return reject(req, next, result.reason);
      (req as RawBodyRequest).rawBody = raw;
      if (raw.length === 0) req.body = undefined;
      else {
        try {
          req.body = JSON.parse(raw.toString('utf8'));
        } catch {
          return next(invalid([{ path: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.'));
        }
      }
      next();
    });
  };
}
