/**
 * The one data hook of every card: loading | success | error for one backend request. A newer request (what-if
 * changed, retry) supersedes older ones — a late answer to an old request is dropped, never shown.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { hubspot, useExtensionContext } from '@hubspot/ui-extensions';
import { apiUrl, errorMessage, errorText, type Query } from '../lib/api.js';

/** While a newer request loads, `previous` keeps the last answer so a view can stay on screen (what-if edits). */
export type ApiState<T> =
  { status: 'loading'; previous?: T } | { status: 'success'; data: T } | { status: 'error'; message: string };

export interface ApiRequest {
  path: string;
  query?: Query;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: Record<string, unknown>;
}

export function useApiBase(): string | null {
  const context = useExtensionContext();
  const base = context.variables?.API_BASE;
  return typeof base === 'string' && base !== '' ? base : null;
}

/** One call outside the hook (for buttons: publish, resync); resolves to the parsed JSON or throws the server's message. */
export async function callApi<T>(apiBase: string, req: ApiRequest): Promise<T> {
  const res = await hubspot.fetch(apiUrl(apiBase, req.path, req.query), {
    method: req.method ?? 'GET',
    ...(req.body ? { body: req.body } : {}),
  });
  if (!res.ok) throw new Error(await errorMessage(res));
  return (await res.json()) as T;
}

export function useApi<T>(request: ApiRequest | null): ApiState<T> & { reload: () => void } {
  const apiBase = useApiBase();
  const [state, setState] = useState<ApiState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(0);
  const key = request ? JSON.stringify(request) : null;

  useEffect(() => {
    if (key === null) return;
    const ticket = ++latest.current;
    if (!apiBase) {
      setState({ status: 'error', message: 'API_BASE is not configured for this HubSpot profile.' });
      return;
    }
    setState((s) =>
      s.status === 'success'
        ? { status: 'loading', previous: s.data }
        : s.status === 'loading'
          ? s
          : { status: 'loading' },
    );
    callApi<T>(apiBase, JSON.parse(key) as ApiRequest).then(
      (data) => {
        if (ticket === latest.current) setState({ status: 'success', data });
      },
      (err: unknown) => {
        if (ticket === latest.current) setState({ status: 'error', message: errorText(err) });
      },
    );
  }, [key, apiBase, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
