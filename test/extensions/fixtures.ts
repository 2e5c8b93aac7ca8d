/** View models as the card API sends them (shapes checked against the server's zod schemas in each test). */
import type { DealCardView } from '../../server/http/cards/schemas.js';

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
