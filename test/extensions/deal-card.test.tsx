import { afterEach, describe, expect, it, vi } from 'vitest';

/** Intl puts no-break spaces in money ("DKK 9,000.00", "9.000,00 kr."); compare as plain text. */
const plain = (s: unknown) => String(s).replace(/[\u00a0\u202f]/g, ' ');
import {
  Accordion,
  Button,
  DateInput,
  EmptyState,
  ErrorState,
  hubspot,
  Input,
  LoadingSpinner,
  StatisticsItem,
  StatusTag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { DealCommission } from '../../extensions/cards/DealCommission.js';
import { dealCardView as dealCardViewSchema } from '../../server/http/cards/schemas.js';
import { dealCardView } from '../../server/http/cards/view-models.js';
import { annaDealView, annaEstimate, annaWhatIf, eventually, jsonResponse, NOW, settle } from './fixtures.js';

const API = 'https://api.attain.example';

function setup(locale: string) {
  const r = createRenderer('crm.record.tab');
  r.mocks.context.variables = { API_BASE: API };
  r.mocks.context.user.locale = locale;
  r.mocks.context.crm.objectId = 24;
  return r;
}

afterEach(() => vi.restoreAllMocks());

describe('deal card — What this deal pays me', () => {
  it('shows a spinner while loading', async () => {
    const { render, find, maybeFind } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(annaDealView('en')));
    render(<DealCommission />);
    expect(plain(find(LoadingSpinner).props.label)).toBe('Loading…');
    // Let the answer arrive before the test ends, so nothing of this render outlives it.
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
  });

  it('shows the server’s error and retries', async () => {
    const { render, find, findByTestId } = setup('en-GB');
    let fail = true;
    const fetch = vi
      .spyOn(hubspot, 'fetch')
      .mockImplementation(async () =>
        fail
          ? jsonResponse(
              { error: { code: 'forbidden', message: 'You may not see the pay of anyone this deal credits.' } },
              403,
            )
          : jsonResponse(annaDealView('en')),
      );
    render(<DealCommission />);
    await eventually(() => expect(plain(find(ErrorState).props.title)).toBe('Could not load the numbers'));
    expect(plain(find(ErrorState).find(Text).text)).toBe('You may not see the pay of anyone this deal credits.');
    fail = false;
    findByTestId(Button, 'retry').trigger('onClick');
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 9,000.00'),
    );
    expect(fetch.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('shows an empty state with the server’s note when nobody is credited', async () => {
    const { render, find } = setup('en-GB');
    const empty = dealCardView({
      estimate: { ...annaEstimate, payees: [] },
      locale: 'en',
      viewerPayeeId: 'anna',
      canSee: () => true,
      settlement: () => 'earned',
      calculatedAt: null,
      now: NOW,
    });
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(empty));
    render(<DealCommission />);
    await eventually(() => expect(plain(find(EmptyState).props.title)).toBe('Nothing to show for this deal'));
    expect(find(EmptyState).find(Text).text).toContain('Nobody is credited for this deal yet');
  });

  it('shows Anna her estimated commission and 120 % attainment (reference scenario, English)', async () => {
    const { render, findByTestId, find } = setup('en-GB');
    const view = annaDealView('en');
    expect(dealCardViewSchema.safeParse(view).success).toBe(true);
    const fetch = vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(view));
    render(<DealCommission />);
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 9,000.00'),
    );
    expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.label)).toBe(
      'Estimated if it closes as it stands',
    );
    expect(plain(findByTestId(StatisticsItem, 'attainment-anna').props.number)).toBe('120%');
    expect(plain(findByTestId(StatisticsItem, 'attainment-anna').find(Text).text)).toBe('103.3% → 120%');
    expect(findByTestId(Text, 'tier-anna').text).toContain('≥ 100 % (accelerator 1.5×)');
    expect(
      find(Accordion, { title: 'Why this amount' })
        .findAll(Text)
        .map((t) => t.text),
    ).toContain('150,000 lands in tier ≥ 100 % at 4 % × 1.5.');
    expect(plain(findByTestId(Text, 'freshness').text)).toBe('Calculated 4 minutes ago');
    expect(fetch).toHaveBeenCalledWith(`${API}/hubspot/cards/deals/24?locale=en-GB`, { method: 'GET' });
    // The card never puts identity in the URL: HubSpot appends (and signs) portalId/userId itself.
    expect(String(fetch.mock.calls[0]![0])).not.toMatch(/userId|portalId/);
  });

  it('speaks Danish to a Danish user: 9.000,00 kr. and 120 %', async () => {
    const { render, findByTestId, find } = setup('da-DK');
    const fetch = vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(annaDealView('da')));
    render(<DealCommission />);
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('9.000,00 kr.'),
    );
    expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.label)).toBe(
      'Anslået, hvis den lukkes som den står',
    );
    expect(plain(findByTestId(StatisticsItem, 'attainment-anna').props.label)).toBe('Målopfyldelse');
    expect(plain(findByTestId(StatisticsItem, 'attainment-anna').props.number)).toBe('120 %');
    expect(plain(find(Accordion).props.title)).toBe('Hvorfor dette beløb');
    expect(findByTestId(Text, 'freshness').text).toMatch(/^Beregnet for 4 minutter siden$/);
    expect(fetch).toHaveBeenCalledWith(`${API}/hubspot/cards/deals/24?locale=da-DK`, { method: 'GET' });
  });

  it('a what-if amount and close date change the request and the shown result', async () => {
    const { render, findByTestId } = setup('da-DK');
    const whatIf = annaDealView('da', { ...annaWhatIf, whatIf: { amount: '300000', closeDate: '2026-09-29' } });
    const fetch = vi
      .spyOn(hubspot, 'fetch')
      .mockImplementation(async (url) =>
        jsonResponse(String(url).includes('whatIfAmount=') ? whatIf : annaDealView('da')),
      );
    render(<DealCommission />);
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('9.000,00 kr.'),
    );
    findByTestId(Input, 'what-if-amount').trigger('onChange', '300.000' as never);
    // DateInput months are 0-based: 8 = September.
    await settle();
    findByTestId(DateInput, 'what-if-close-date').trigger('onChange', { year: 2026, month: 8, date: 29 } as never);
    await settle();
    findByTestId(Button, 'what-if-apply').trigger('onClick');
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('18.000,00 kr.'),
    );
    expect(fetch).toHaveBeenLastCalledWith(
      `${API}/hubspot/cards/deals/24?locale=da-DK&whatIfAmount=300000&whatIfCloseDate=2026-09-29`,
      { method: 'GET' },
    );
    expect(plain(findByTestId(StatisticsItem, 'attainment-anna').props.number)).toBe('136,7 %');
    expect(findByTestId(StatusTag, 'what-if-active').text).toBe('Viser et hvad-nu-hvis');
  });

  it('refuses a malformed what-if amount without calling the server', async () => {
    const { render, findByTestId } = setup('en-GB');
    const fetch = vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(annaDealView('en')));
    render(<DealCommission />);
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 9,000.00'),
    );
    findByTestId(Input, 'what-if-amount').trigger('onChange', '12abc' as never);
    await eventually(() =>
      expect(findByTestId(Input, 'what-if-amount').props.validationMessage).toBe(
        'Write an amount such as 1250000 or 1250000.50',
      ),
    );
    expect(findByTestId(Button, 'what-if-apply').props.disabled).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('drops a late answer to a superseded what-if (stale-request guard)', async () => {
    const { render, findByTestId } = setup('en-GB');
    let releaseSlow: () => void = () => {};
    const slow = annaDealView('en', { ...annaWhatIf, whatIf: { amount: '500000' } });
    const fast = annaDealView('en', annaWhatIf);
    const fetch = vi.spyOn(hubspot, 'fetch').mockImplementation((url) => {
      const u = String(url);
      if (u.includes('whatIfAmount=500000'))
        return new Promise(
          (resolve) =>
            (releaseSlow = () =>
              resolve(
                jsonResponse({
                  ...slow,
                  payees: slow.payees.map((p) => ({ ...p, commission: { ...p.commission, formatted: 'STALE' } })),
                }),
              )),
        );
      return Promise.resolve(jsonResponse(u.includes('whatIfAmount=300000') ? fast : annaDealView('en')));
    });
    render(<DealCommission />);
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 9,000.00'),
    );
    findByTestId(Input, 'what-if-amount').trigger('onChange', '500000' as never);
    await settle();
    findByTestId(Button, 'what-if-apply').trigger('onClick');
    await settle();
    // While the slow what-if loads, the last numbers stay on screen and the form stays usable.
    expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 9,000.00');
    findByTestId(Input, 'what-if-amount').trigger('onChange', '300000' as never);
    await settle();
    findByTestId(Button, 'what-if-apply').trigger('onClick');
    await eventually(() =>
      expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 18,000.00'),
    );
    releaseSlow();
    await settle();
    await settle();
    expect(plain(findByTestId(StatisticsItem, 'commission-anna').props.number)).toBe('DKK 18,000.00');
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});
