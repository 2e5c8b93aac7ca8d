import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Alert,
  Button,
  DateInput,
  ErrorState,
  hubspot,
  Input,
  LoadingSpinner,
  Select,
  Tab,
  Table,
  TableBody,
  TableRow,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { Settings } from '../../extensions/settings/Settings.js';
import { settingsView as settingsViewSchema, type SettingsView } from '../../server/http/cards/schemas.js';
import { money } from '../../server/http/cards/format.js';
import { eventually, jsonResponse, settle } from './fixtures.js';

const API = 'https://api.attain.example';
const plain = (s: unknown) => String(s).replace(/[\u00a0\u202f]/g, ' ');

const plan = {
  id: 'nordic-sales-2026',
  name: 'Nordic Sales – new business 2026',
  currency: 'DKK',
  versions: [{ id: '2026-v1', effectiveFrom: '2026-01-01', components: [{ id: 'new-business' }] }],
};

function settingsFor(locale: 'da' | 'en', plans = true): SettingsView {
  return {
    locale,
    plans: plans
      ? [
          {
            id: plan.id,
            name: plan.name,
            currency: 'DKK',
            revision: 1,
            versions: [{ id: '2026-v1', effectiveFrom: '2026-01-01' }],
            definition: plan,
          },
        ]
      : [],
    payees: [
      { id: 'anna', name: 'Anna Jensen' },
      { id: 'bo', name: 'Bo Nielsen' },
    ],
    assignments: [],
    quotas: [
      { payeeId: 'anna', payeeName: 'Anna Jensen', periodId: '2026-Q3', amount: money('900000', 'DKK', locale) },
    ],
    connection: {
      status: 'connected',
      statusText: locale === 'da' ? 'Forbundet' : 'Connected',
      accountId: '12345',
      lastSync: null,
      lastSyncText: locale === 'da' ? 'aldrig' : 'never',
      provisioning: 'ok',
      attainmentRecords: 'unavailable',
      attainmentRecordsText:
        locale === 'da'
          ? 'Målopfyldelsesposter utilgængelige'
          : 'Attainment records unavailable (custom objects need Enterprise)',
    },
  };
}

function setup(locale: string) {
  const r = createRenderer('settings');
  r.mocks.context.variables = { API_BASE: API };
  r.mocks.context.user.locale = locale;
  return r;
}

afterEach(() => vi.restoreAllMocks());

describe('settings page', () => {
  it('loading, then the tabs (English)', async () => {
    const { render, find, findAll, maybeFind } = setup('en-GB');
    expect(settingsViewSchema.safeParse(settingsFor('en')).success).toBe(true);
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(settingsFor('en')));
    render(<Settings />);
    expect(find(LoadingSpinner).props.label).toBe('Loading…');
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    expect(findAll(Tab).map((t) => t.props.title)).toEqual(['Plans', 'Assignments', 'Quotas', 'Connection and sync']);
  });

  it('Danish labels and money', async () => {
    const { render, findAll, findByTestId, maybeFind } = setup('da-DK');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(settingsFor('da')));
    render(<Settings />);
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    expect(findAll(Tab).map((t) => t.props.title)).toEqual([
      'Planer',
      'Tildelinger',
      'Kvoter',
      'Forbindelse og synkronisering',
    ]);
    expect(
      findByTestId(Table, 'quotas-table')
        .find(TableBody)
        .find(TableRow)
        .childNodes.map((c) => plain((c as { text: string | null }).text)),
    ).toEqual(['Anna Jensen', '2026-Q3', '900.000,00 kr.']);
    expect(findByTestId(Text, 'connection-status').text).toBe('Forbundet');
    expect(findByTestId(Text, 'attainment-records-status').text).toBe('Målopfyldelsesposter utilgængelige');
  });

  it('empty: no plans yet', async () => {
    const { render, findByTestId, maybeFind } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(settingsFor('en', false)));
    render(<Settings />);
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    expect(findByTestId(Text, 'no-plans').text).toBe('No plans yet. Create one to start calculating.');
  });

  it('error: not an admin', async () => {
    const { render, find } = setup('en-GB');
    vi.spyOn(hubspot, 'fetch').mockResolvedValue(
      jsonResponse({ error: { message: 'Only Attain admins may open the settings.' } }, 403),
    );
    render(<Settings />);
    await eventually(() => expect(find(ErrorState).find(Text).text).toBe('Only Attain admins may open the settings.'));
  });

  it("check shows the plan schema's field messages; preview lists every payee; publish sends the plan with the new version", async () => {
    const { render, findByTestId, maybeFind } = setup('en-GB');
    const fetch = vi.spyOn(hubspot, 'fetch').mockImplementation(async (url) => {
      const u = String(url);
      if (u.endsWith('/plans/check'))
        return jsonResponse({
          ok: false,
          errors: [{ path: 'plan.versions.1.effectiveFrom', message: 'must be a calendar date written YYYY-MM-DD' }],
        });
      if (u.endsWith('/plans/preview'))
        return jsonResponse({
          periodId: '2026-Q3',
          rows: [
            {
              payeeId: 'anna',
              name: 'Anna Jensen',
              current: money('37800', 'DKK', 'en'),
              proposed: money('38250', 'DKK', 'en'),
              difference: money('450', 'DKK', 'en'),
            },
          ],
          total: null,
        });
      if (u.endsWith('/plans/publish'))
        return jsonResponse(
          { planId: plan.id, revision: 2, versionId: '2026-v2', effectiveFrom: '2026-07-01', recalcRunId: 'run-1' },
          201,
        );
      return jsonResponse(settingsFor('en'));
    });
    render(<Settings />);
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    const draft = JSON.parse(String(findByTestId(TextArea, 'plan-json').props.value)) as Record<string, unknown>;
    expect(draft).toMatchObject({ id: '', effectiveFrom: '', components: [{ id: 'new-business' }] });
    findByTestId(TextArea, 'plan-json').trigger(
      'onChange',
      JSON.stringify({ ...draft, id: '2026-v2', effectiveFrom: '2026-07-01' }) as never,
    );
    await settle();
    expect(findByTestId(DateInput, 'effective-from').props.value).toEqual({ year: 2026, month: 6, date: 1 });

    findByTestId(Button, 'check').trigger('onClick');
    // The draft's effectiveFrom has a field (the date picker): the schema's message is shown there.
    await eventually(() =>
      expect(findByTestId(DateInput, 'effective-from').props.validationMessage).toBe(
        'must be a calendar date written YYYY-MM-DD',
      ),
    );
    expect(findByTestId(DateInput, 'effective-from').props.error).toBe(true);
    expect(findByTestId(Alert, 'plan-errors').find(Text).text).toBe('1 message is shown next to its field.');

    findByTestId(Button, 'preview').trigger('onClick');
    await eventually(() =>
      expect(
        findByTestId(Table, 'preview-table')
          .find(TableBody)
          .find(TableRow)
          .childNodes.map((c) => plain((c as { text: string | null }).text)),
      ).toEqual(['Anna Jensen', 'DKK 37,800.00', 'DKK 38,250.00', 'DKK 450.00']),
    );

    findByTestId(Button, 'publish').trigger('onClick');
    await eventually(() => expect(findByTestId(Alert, 'published').props.title).toBe('Published version 2'));
    const publishCall = fetch.mock.calls.find(([u]) => String(u).endsWith('/plans/publish'))!;
    expect(publishCall[1]).toMatchObject({
      method: 'POST',
      body: { plan: { id: plan.id, versions: [plan.versions[0], { id: '2026-v2', effectiveFrom: '2026-07-01' }] } },
    });
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
  });

  it('not JSON: says so without calling the server', async () => {
    const { render, findByTestId, maybeFind } = setup('da-DK');
    const fetch = vi.spyOn(hubspot, 'fetch').mockResolvedValue(jsonResponse(settingsFor('da')));
    render(<Settings />);
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    findByTestId(TextArea, 'plan-json').trigger('onChange', '{ not json' as never);
    await settle();
    findByTestId(Button, 'check').trigger('onClick');
    await eventually(() =>
      expect(findByTestId(Alert, 'plan-errors').find(Text).text).toBe('Dette er ikke gyldig JSON.'),
    );
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('sets a quota typed the Danish way and sends it as a decimal string', async () => {
    const { render, findByTestId, maybeFind } = setup('da-DK');
    const fetch = vi
      .spyOn(hubspot, 'fetch')
      .mockImplementation(async (url) =>
        String(url).endsWith('/quotas')
          ? jsonResponse({ stored: 1, recalcRunId: 'run-3' })
          : jsonResponse(settingsFor('da')),
      );
    render(<Settings />);
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    findByTestId(Select, 'quota-payee').trigger('onChange', 'bo' as never);
    await settle();
    findByTestId(Input, 'quota-period').trigger('onChange', '2026-Q4' as never);
    await settle();
    findByTestId(Input, 'quota-amount').trigger('onChange', '950.000,00' as never);
    await settle();
    findByTestId(Button, 'quota-save').trigger('onClick');
    await eventually(() => expect(findByTestId(Text, 'quota-note').text).toBe('Gemt; genberegner'));
    expect(fetch).toHaveBeenCalledWith(`${API}/hubspot/settings/quotas`, {
      method: 'PUT',
      body: { quotas: [{ payeeId: 'bo', periodId: '2026-Q4', amount: '950000.00' }] },
    });
  });

  it('resync asks the server and confirms', async () => {
    const { render, findByTestId, maybeFind } = setup('en-GB');
    const fetch = vi
      .spyOn(hubspot, 'fetch')
      .mockImplementation(async (url) =>
        String(url).endsWith('/resync') ? jsonResponse({ runId: 'run-9' }, 202) : jsonResponse(settingsFor('en')),
      );
    render(<Settings />);
    await eventually(() => expect(maybeFind(LoadingSpinner)).toBeNull());
    findByTestId(Button, 'resync').trigger('onClick');
    await eventually(() => expect(findByTestId(Text, 'resync-note').text).toBe('Resync started'));
    expect(fetch).toHaveBeenCalledWith(`${API}/hubspot/settings/resync`, { method: 'POST', body: {} });
  });
});
