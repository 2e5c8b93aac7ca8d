import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EmptyState,
  ErrorState,
  hubspot,
  LoadingSpinner,
  Select,
  Table,
  TableHeader,
  TableRow,
  TableBody,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { TeamAttainment } from '../../extensions/team/TeamAttainment.js';
import { teamView as teamViewSchema } from '../../server/http/cards/schemas.js';
import { eventually, jsonResponse, settle, teamViewFor } from './fixtures.js';

const API = 'https://api.attain.example';
const plain = (s: unknown) => String(s).replace(/[\u00a0\u202f]/g, ' ');

function setup(locale: string) {
  const r = createRenderer('home');
  r.mocks.context.variables = { API_BASE: API };
  r.mocks.context.user.locale = locale;
  return r;
}

afterEach(() => vi.restoreAllMocks());

describe('team view (app home page)', () => {
  it('loading', async () => {
    const { render, find, maybeFind } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(teamViewFor('en')));
    render(<TeamAttainment />);
    expect(find(LoadingSpinner).props.label).toBe('Loading…');
    // Let the answer arrive before the test ends, so nothing of this render outlives it.
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
  });

  it('the reference table in Danish, team attainment Σ achieved / Σ quota', async () => {
    const { render, find, findByTestId } = setup('da-DK');
    const view = teamViewFor('da');
    expect(teamViewSchema.safeParse(view).success).toBe(true);
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(view));
    render(<TeamAttainment />);
    await eventually(() => expect(find(Table)).toBeTruthy());
    const rows = find(TableBody)
      .findAll(TableRow)
      .map((r) => r.childNodes.map((c) => plain((c as { text: string | null }).text)));
    expect(rows).toEqual([
      ['Anna Jensen', '900.000,00 kr.', '1.080.000,00 kr.', '120 %', '37.800,00 kr.'],
      ['Bo Nielsen', '900.000,00 kr.', '810.000,00 kr.', '90 %', '25.200,00 kr.'],
      ['Camilla Hansen', '900.000,00 kr.', '630.000,00 kr.', '70 %', '18.000,00 kr.'],
    ]);
    // Three sellers: 2,520,000 / 2,700,000 = 93.3 % (sums, not the mean of percentages).
    expect(plain(findByTestId(TableHeader, 'team-attainment').text)).toBe('93,3 %');
    expect(find(TableHeader).text).toBe('Sælger');
  });

  it('changing the period asks for that period', async () => {
    const { render, findByTestId } = setup('en-GB');
    const fetch = vi.spyOn(hubspot, 'fetch').mockImplementation(async () => jsonResponse(teamViewFor('en')));
    render(<TeamAttainment />);
    await eventually(() => expect(findByTestId(Select, 'period')).toBeTruthy());
    findByTestId(Select, 'period').trigger('onChange', '2026-Q2' as never);
    await settle();
    await eventually(() =>
      expect(fetch).toHaveBeenLastCalledWith(`${API}/hubspot/cards/team?locale=en-GB&period=2026-Q2`, {
        method: 'GET',
      }),
    );
  });

  it('empty: nobody has results yet', async () => {
    const { render, find } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(teamViewFor('en', [])));
    render(<TeamAttainment />);
    await eventually(() => expect(find(EmptyState).props.title).toBe('No results for this period'));
    expect(find(EmptyState).find(Text).text).toBe('Nobody on your team has results for this period yet.');
  });

  it('error', async () => {
    const { render, find } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(
      jsonResponse({ error: { message: 'The request is not signed by HubSpot for this app.' } }, 401),
    );
    render(<TeamAttainment />);
    await eventually(() =>
      expect(find(ErrorState).find(Text).text).toBe('The request is not signed by HubSpot for this app.'),
    );
  });
});
