/**
 * Failures that reach an API caller. Services throw these (or return errors as data and the route converts
 * them); the one error handler turns them into JSON. Anything else becomes a 500 that says nothing about the
 * internals — the details go to the log under the request id.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import type {} from 'pino-http';

export interface FieldError {
  /** Where the problem is: "query.period", "body.tiers.0.rate", "row 3, column amount". */
  path: string;
  message: string;
}

export type ApiErrorCode =
  | 'invalid-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'internal';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalid = (errors: FieldError[], message = 'The request is invalid.') =>
  new ApiError(400, 'invalid-request', message, errors);
export const unauthorized = (message = 'A valid API token is required: Authorization: Bearer <token>.') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'Your role does not allow this.') => new ApiError(403, 'forbidden', message);
export const notFound = (what = 'The resource') => new ApiError(404, 'not-found', `${what} was not found.`);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

/** zod issues → field errors, prefixed with where the value came from ("query", "body", …). */
export function fieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((s) => s !== '').join('.'),
    message: issue.message,
  }));
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`${req.method} ${req.path}`));
};

interface HttpishError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  message?: unknown;
}

/** Errors raised by express/body-parser before our code runs (bad JSON, too large, bad encoding in a path). */
function fromFramework(err: HttpishError): ApiError | null {
  const status =
    typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : null;
  if (status === null || status < 400 || status >= 500) return null;
  if (err.type === 'entity.parse.failed')
    return invalid([{ path: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.');
  if (status === 413) return new ApiError(413, 'payload-too-large', 'The request body is too large.');
  if (status === 415) return new ApiError(415, 'unsupported-media-type', 'Unsupported content type or charset.');
  const message = err.expose === true && typeof err.message === 'string' ? err.message : 'The request is invalid.';
  return new ApiError(status, status === 404 ? 'not-found' : 'invalid-request', message);
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const known =
    err instanceof ApiError ? err : typeof err === 'object' && err !== null ? fromFramework(err as HttpishError) : null;
  if (known) {
    if (known.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(known.status).json({
      error: { code: known.code, message: known.message },
      errors: known.errors,
      requestId: req.id,
    });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(500)
    .json({
      error: {
        code: 'internal',
        message: 'Something went wrong on our side. Quote the request id when you report it.',
      },
      errors: [],
      requestId: req.id,
    });
};
