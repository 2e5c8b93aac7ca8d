import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Alert,
  Button,
  DateInput,
  hubspot,
  Input,
  LoadingSpinner,
  Select,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { Settings } from '../../extensions/settings/Settings.js';
import type { SettingsView } from '../../server/http/cards/schemas.js';
import { money } from '../../server/http/cards/format.js';
import { planObjectSchema } from '../../src/plan/schema.js';
import { eventually, jsonResponse, settle } from './fixtures.js';

const API = 'https://api.attain.example';

const v1 = {
  id: '2026-v1',
  effectiveFrom: '2026-01-01',
  components: [
    {
      id: 'new-business',
      name: 'New business',
      rates: {
        application: 'marginal',
        axis: 'attainment',
        input: 'period',
        tiers: [
          { from: '0', to: '1', rate: '0.04' },
          { from: '1', to: null, rate: '0.04', multiplier: '1.5' },
        ],
      },
    },
  ],
};
const plan = { id: 'nordic-sales-2026', name: 'Nordic Sales – new business 2026', currency: 'DKK', versions: [v1] };

function settingsFor(locale: 'da' | 'en'): SettingsView {
  return {
    locale,
    plans: [
      {
        id: plan.id,
        name: plan.name,
        currency: 'DKK',
        revision: 1,
        versions: [{ id: v1.id, effectiveFrom: v1.effectiveFrom }],
        definition: plan,
      },
    ],
    payees: [{ id: 'anna', name: 'Anna Jensen' }],
    assignments: [],
    quotas: [],
    connection: {
      status: 'connected',
      statusText: 'Connected',
      accountId: '12345',
      lastSync: null,
      lastSyncText: 'never',
      provisioning: 'ok',
    },
  };
}

const preview = {
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
};

type Handler = (path: string, body: unknown) => Response | undefined;

async function open(locale: string, handler: Handler = () => undefined) {
  const r = createRenderer('settings');
  r.mocks.context.variables = { API_BASE: API };
  r.mocks.context.user.locale = locale;
  const fetch = vi.spyOn(hubspot, 'fetch').mockImplementation(async (url, init) => {
    const path = String(url).slice(API.length).split('?')[0]!;
    return (
      handler(path, (init as { body?: unknown } | undefined)?.body) ??
      jsonResponse(settingsFor(locale.startsWith('da') ? 'da' : 'en'))
    );
  });
  r.render(<Settings />);
  await eventually(() => expect(r.maybeFind(LoadingSpinner)).toBeNull());
  const input = (testId: string) => r.findByTestId(Input, testId);
  const type = async (testId: string, text: string) => {
    input(testId).trigger('onChange', text as never);
    await settle();
  };
  const pick = async (testId: string, value: string) => {
    r.findByTestId(Select, testId).trigger('onChange', value as never);
    await settle();
  };
  const click = async (testId: string) => {
    r.findByTestId(Button, testId).trigger('onClick');
    await settle();
  };
  const draft = () => JSON.parse(String(r.findByTestId(TextArea, 'plan-json').props.value)) as Record<string, unknown>;
  const sent = (path: string) =>
    fetch.mock.calls
      .filter(([u]) => String(u).endsWith(path))
      .map(([, init]) => (init as { body: { plan: typeof plan } }).body);
  return { ...r, fetch, input, type, pick, click, draft, sent };
}

afterEach(() => vi.restoreAllMocks());

describe('settings page: structured plan editor', () => {
  it("editing a tier's rate changes the draft the JSON view shows and the plan sent to preview and publish", async () => {
    const ui = await open('en-GB', (path) =>
      path.endsWith('/plans/preview')
        ? jsonResponse(preview)
        : path.endsWith('/plans/publish')
          ? jsonResponse(
              { planId: plan.id, revision: 2, versionId: '2026-v2', effectiveFrom: '2026-07-01', recalcRunId: 'run-1' },
              201,
            )
          : undefined,
    );
    expect(ui.input('components.0.rates.tiers.1.rate').props.label).toBe('Rate');
    expect(ui.input('components.0.rates.tiers.1.rate').props.value).toBe('0.04');
    expect(ui.input('components.0.rates.tiers.1.to').props.value).toBe('');

    await ui.type('id', '2026-v2');
    await ui.type('components.0.rates.tiers.1.rate', '0.06');
    await ui.pick('components.0.rates.application', 'retroactive');
    expect(ui.draft()).toMatchObject({
      id: '2026-v2',
      components: [
        {
          rates: {
            application: 'retroactive',
            tiers: [{ rate: '0.04' }, { rate: '0.06', to: null, multiplier: '1.5' }],
          },
        },
      ],
    });

    // The date picker writes the draft's effectiveFrom; the JSON view edits the same draft the form shows.
    ui.findByTestId(DateInput, 'effective-from').trigger('onChange', { year: 2026, month: 6, date: 1 } as never);
    await settle();
    expect(ui.draft()).toMatchObject({ effectiveFrom: '2026-07-01' });
    ui.findByTestId(TextArea, 'plan-json').trigger(
      'onChange',
      JSON.stringify({ ...ui.draft(), id: '2026-v2' }) as never,
    );
    await settle();
    expect(ui.input('components.0.rates.tiers.1.rate').props.value).toBe('0.06');

    await ui.click('preview');
    await eventually(() => expect(ui.maybeFind(LoadingSpinner)).toBeNull());
    await ui.click('publish');
    await eventually(() => expect(ui.findByTestId(Alert, 'published').props.title).toBe('Published version 2'));
    const expected = {
      id: '2026-v2',
      effectiveFrom: '2026-07-01',
      components: [
        {
          id: 'new-business',
          rates: {
            application: 'retroactive',
            tiers: [v1.components[0]!.rates.tiers[0], { from: '1', to: null, rate: '0.06', multiplier: '1.5' }],
          },
        },
      ],
    };
    for (const body of [...ui.sent('/plans/preview'), ...ui.sent('/plans/publish')]) {
      expect(body.plan.versions).toHaveLength(2);
      expect(body.plan.versions[0]).toEqual(v1);
      expect(body.plan.versions[1]).toMatchObject(expected);
    }
    expect(planObjectSchema.safeParse(ui.sent('/plans/publish')[0]!.plan).success).toBe(true);
  });

  it('adds and removes tier rows', async () => {
    const ui = await open('en-GB');
    expect(ui.findByTestId(Button, 'add:components.0.rates.tiers').text).toBe('Add tier');
    await ui.click('add:components.0.rates.tiers');
    expect(ui.input('components.0.rates.tiers.2.rate').props.value).toBe('');
    await ui.type('components.0.rates.tiers.2.from', '1.5');
    await ui.type('components.0.rates.tiers.2.rate', '0.05');
    expect((ui.draft().components as { rates: { tiers: unknown[] } }[])[0]!.rates.tiers).toEqual([
      { from: '0', to: '1', rate: '0.04' },
      { from: '1', to: null, rate: '0.04', multiplier: '1.5' },
      { from: '1.5', to: null, rate: '0.05' },
    ]);

    await ui.click('remove:components.0.rates.tiers.0');
    expect((ui.draft().components as { rates: { tiers: unknown[] } }[])[0]!.rates.tiers).toEqual([
      { from: '1', to: null, rate: '0.04', multiplier: '1.5' },
      { from: '1.5', to: null, rate: '0.05' },
    ]);
    expect(ui.input('components.0.rates.tiers.0.from').props.value).toBe('1');
    expect(ui.maybeFind(Input, { testId: 'components.0.rates.tiers.2.rate' })).toBeNull();
  });

  it('caps, gates, bonuses, SPIFs, draw and clawback schedule edit the draft as the plan schema expects', async () => {
    const ui = await open('en-GB');
    await ui.type('id', '2026-v2');
    await ui.click('add:components.0.caps');
    await ui.pick('components.0.caps.0.kind', 'attainment');
    await ui.type('components.0.caps.0.maxAttainment', '2');
    await ui.click('add:components.0.gates');
    await ui.type('components.0.gates.0.minAttainment', '0.5');
    await ui.click('add:bonuses');
    await ui.type('bonuses.0.id', 'q-club');
    await ui.type('bonuses.0.name', 'Quarter club');
    await ui.type('bonuses.0.minAttainment', '1.2');
    await ui.type('bonuses.0.amount', '10000');
    await ui.click('add:spifs');
    await ui.type('spifs.0.id', 'autumn');
    await ui.type('spifs.0.name', 'Autumn push');
    await ui.type('spifs.0.from', '2026-09-01');
    await ui.type('spifs.0.to', '2026-09-30');
    await ui.type('spifs.0.payout.amount', '1000');
    await ui.pick('spifs.0.payout.kind', 'percentOfRevenue');
    expect(ui.input('spifs.0.payout.rate').props.value).toBe('1000');
    await ui.type('spifs.0.payout.rate', '0.01');
    await ui.click('add:draw');
    await ui.type('draw.amount', '15000');
    await ui.pick('draw.kind', 'nonRecoverable');
    await ui.click('add:clawback.schedule');
    await ui.type('clawback.schedule.0.monthsSinceCloseBelow', '6');
    await ui.type('clawback.schedule.0.percent', '1');

    const version = { ...ui.draft(), effectiveFrom: '2026-07-01' };
    expect(version).toMatchObject({
      components: [{ caps: [{ kind: 'attainment', maxAttainment: '2' }], gates: [{ minAttainment: '0.5' }] }],
      bonuses: [
        {
          id: 'q-club',
          name: 'Quarter club',
          componentId: 'new-business',
          kind: 'milestone',
          minAttainment: '1.2',
          amount: '10000',
        },
      ],
      spifs: [
        {
          id: 'autumn',
          name: 'Autumn push',
          from: '2026-09-01',
          to: '2026-09-30',
          payout: { kind: 'percentOfRevenue', rate: '0.01' },
        },
      ],
      draw: { kind: 'nonRecoverable', amount: '15000' },
      clawback: { schedule: [{ monthsSinceCloseBelow: 6, percent: '1' }] },
    });
    const parsed = planObjectSchema.safeParse({ ...plan, versions: [v1, version] });
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('a server validation message is shown next to its field; others stay in the list', async () => {
    const ui = await open('en-GB', (path) =>
      path.endsWith('/plans/check')
        ? jsonResponse({
            ok: false,
            errors: [
              {
                path: 'plan.versions.1.components.0.rates.tiers.1.rate',
                message: 'must be a non-negative decimal such as 1250.50',
              },
              { path: 'plan.versions.1.effectiveFrom', message: 'must be a calendar date written YYYY-MM-DD' },
              {
                path: 'plan.versions.1.components.0.quota.amount',
                message: 'is required when the quota comes from the plan',
              },
            ],
          })
        : path.endsWith('/plans/publish')
          ? jsonResponse(
              {
                error: { code: 'invalid-request', message: 'The plan was not published.' },
                errors: [
                  {
                    path: 'plan.versions.1.components.0.rates.tiers.0.from',
                    message: 'must be a non-negative decimal such as 1250.50',
                  },
                ],
                requestId: 'r',
              },
              400,
            )
          : undefined,
    );
    await ui.type('components.0.rates.tiers.1.rate', 'lots');
    await ui.click('check');
    await eventually(() =>
      expect(ui.input('components.0.rates.tiers.1.rate').props.validationMessage).toBe(
        'must be a non-negative decimal such as 1250.50',
      ),
    );
    expect(ui.input('components.0.rates.tiers.1.rate').props.error).toBe(true);
    expect(ui.input('components.0.rates.tiers.0.rate').props.error).toBe(false);
    const alert = ui.findByTestId(Alert, 'plan-errors');
    expect(ui.findByTestId(DateInput, 'effective-from').props.validationMessage).toBe(
      'must be a calendar date written YYYY-MM-DD',
    );
    expect(ui.findByTestId(Text, 'plan-errors-at-fields').text).toBe('2 messages are shown next to their fields.');
    expect(alert.findAll(Text).map((t) => t.text)).toContain(
      'plan.versions.1.components.0.quota.amount: is required when the quota comes from the plan',
    );
    expect(
      alert
        .findAll(Text)
        .map((t) => t.text)
        .join('\n'),
    ).not.toContain('tiers.1.rate');

    // A refused publish carries the schema's messages too; they land on their fields.
    await ui.click('publish');
    await eventually(() =>
      expect(ui.input('components.0.rates.tiers.0.from').props.validationMessage).toBe(
        'must be a non-negative decimal such as 1250.50',
      ),
    );
    expect(ui.findByTestId(Alert, 'plan-errors').props.title).toBe('The plan was not published.');
    expect(ui.input('components.0.rates.tiers.1.rate').props.error).toBe(false);
  });

  it('Danish labels; the form waits while the JSON is not valid', async () => {
    const ui = await open('da-DK');
    expect(ui.input('components.0.rates.tiers.0.rate').props.label).toBe('Sats');
    expect(ui.input('components.0.rates.tiers.0.to').props.label).toBe('Til (tom = ingen grænse)');
    expect(ui.findByTestId(Button, 'add:components.0.rates.tiers').text).toBe('Tilføj trin');
    expect(ui.findByTestId(Button, 'remove:components.0.rates.tiers.0').text).toBe('Fjern');
    expect(
      ui.findByTestId(Select, 'components.0.rates.application').props.options.map((o: { label: string }) => o.label),
    ).toEqual(['Marginal', 'Tilbagevirkende', 'Interpoleret']);
    expect(ui.findByTestId(Button, 'add:draw').text).toBe('Tilføj forskud');
    ui.findByTestId(TextArea, 'plan-json').trigger('onChange', '{ ikke json' as never);
    await settle();
    expect(ui.findByTestId(Text, 'form-needs-json').text).toBe(
      'JSON herunder er ikke gyldig, så editoren kan ikke vise den. Ret den i den avancerede visning.',
    );
    expect(ui.maybeFind(Input, { testId: 'components.0.rates.tiers.0.rate' })).toBeNull();
  });

  it('English labels', async () => {
    const ui = await open('en-US');
    expect(ui.findByTestId(Select, 'components.0.rates.axis').props.label).toBe('Tier axis');
    expect(ui.findByTestId(Button, 'add:spifs').text).toBe('Add SPIF');
    expect(ui.findByTestId(Button, 'add:clawback.schedule').text).toBe('Add row');
  });
});
