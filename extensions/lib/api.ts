/** Where the cards' backend lives: the profile variable API_BASE (hsprofile.<env>.json), never a literal. */
export type Query = Record<string, string | undefined>;

export function apiUrl(apiBase: string, path: string, query: Query = {}): string {
  const params = Object.entries(query)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${apiBase.replace(/\/+$/, '')}${path}${params ? `?${params}` : ''}`;
}

/** What a rejected call says, for a note or an error state. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The server's error body: `{ error: { message } }`; anything else gets a generic text. */
export async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${res.status}`;
}
