import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EmptyState,
  ErrorState,
  hubspot,
  LoadingSpinner,
  ProgressBar,
  StatisticsItem,
  StatusTag,
  Table,
  TableCell,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { ContactQuota } from '../../extensions/cards/ContactQuota.js';
import { contactCardView as contactCardViewSchema } from '../../server/http/cards/schemas.js';
import { contactCardView } from '../../server/http/cards/view-models.js';
import { CALCULATED_AT, contactViewFor, eventually, jsonResponse, NOW } from './fixtures.js';

const API = 'https://api.attain.example';
const plain = (s: unknown) => String(s).replace(/[\u00a0\u202f]/g, ' ');

function setup(locale: string) {
  const r = createRenderer('crm.record.sidebar');
  r.mocks.context.variables = { API_BASE: API };
  r.mocks.context.user.locale = locale;
  r.mocks.context.crm.objectId = 501;
  r.mocks.useCrmProperties.willCall(() => ({
    properties: { hubspot_owner_id: 'owner-anna' },
    isLoading: false,
    isRefetching: false,
    error: null,
    refetch: async () => {},
  }));
  r.mocks.useAssociations.willCall(() => ({
    results: [{ toObjectId: 24, associationTypes: [], properties: {} }],
    error: null,
    isLoading: false,
    isRefetching: false,
    pagination: {
      hasNextPage: false,
      hasPreviousPage: false,
      currentPage: 1,
      pageSize: 20,
      nextPage: () => {},
      previousPage: () => {},
      reset: () => {},
    },
    refetch: async () => {},
  }));
  return r;
}

afterEach(() => vi.restoreAllMocks());

describe('contact card — quota progress', () => {
  it('shows a spinner while HubSpot and the server load', async () => {
    const { render, find, maybeFind } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(contactViewFor('en')));
    render(<ContactQuota />);
    expect(find(LoadingSpinner).props.label).toBe('Loading…');
    // Let the answer arrive before the test ends, so nothing of this render outlives it.
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
  });

  it('asks for the owner and the associated deals, then shows progress, pacing and deals (English)', async () => {
    const { render, find, findByTestId } = setup('en-GB');
    const view = contactViewFor('en');
    expect(contactCardViewSchema.safeParse(view).success).toBe(true);
    const fetch = vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(view));
    render(<ContactQuota />);
    await eventually(() => expect(plain(findByTestId(StatisticsItem, 'owner-attainment').props.number)).toBe('120%'));
    expect(fetch).toHaveBeenCalledWith(`${API}/hubspot/cards/contacts/501?locale=en-GB&ownerId=owner-anna&dealIds=24`, {
      method: 'GET',
    });
    expect(findByTestId(ProgressBar, 'owner-progress').props.value).toBe(120);
    expect(plain(findByTestId(ProgressBar, 'owner-progress').props.valueDescription)).toBe(
      'DKK 1,080,000.00 / DKK 900,000.00',
    );
    expect(findByTestId(StatusTag, 'pacing').text).toBe('Ahead of pace');
    expect(
      find(Table)
        .findAll(TableCell)
        .map((c) => plain(c.text)),
    ).toEqual(['Lego – Attain Platform licence', 'DKK 150,000.00', 'DKK 9,000.00']);
  });

  it('speaks Danish: 1.080.000,00 kr. and "Foran tempoet"', async () => {
    const { render, findByTestId } = setup('da-DK');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(contactViewFor('da')));
    render(<ContactQuota />);
    await eventually(() => expect(plain(findByTestId(StatisticsItem, 'owner-attainment').props.number)).toBe('120 %'));
    expect(plain(findByTestId(ProgressBar, 'owner-progress').props.valueDescription)).toBe(
      '1.080.000,00 kr. / 900.000,00 kr.',
    );
    expect(findByTestId(StatusTag, 'pacing').text).toBe('Foran tempoet');
    expect(findByTestId(StatisticsItem, 'owner-attainment').props.label).toBe('Målopfyldelse');
  });

  it('empty: no owner payee and no open deals', async () => {
    const { render, find, findByTestId } = setup('en-GB');
    const empty = contactCardView({
      contactId: '501',
      locale: 'en',
      owner: null,
      ownerNote: 'unknown',
      deals: [],
      calculatedAt: CALCULATED_AT,
      now: NOW,
    });
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(empty));
    render(<ContactQuota />);
    await eventually(() => expect(find(EmptyState).props.title).toBe('No quota to show'));
    expect(find(EmptyState).find(Text).text).toBe('The contact owner is not set up as a payee.');
    expect(findByTestId(Text, 'no-deals').text).toBe('This contact has no open deals.');
  });

  it('error: the server’s message with a retry', async () => {
    const { render, find } = setup('da-DK');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(
      jsonResponse({ error: { code: 'forbidden', message: 'Denne HubSpot-konto er ikke forbundet.' } }, 403),
    );
    render(<ContactQuota />);
    await eventually(() => expect(find(ErrorState).props.title).toBe('Tallene kunne ikke hentes'));
    expect(find(ErrorState).find(Text).text).toBe('Denne HubSpot-konto er ikke forbundet.');
  });
});
