/**
 * The app settings page (admins): plans with validation messages from the plan schema, a payout preview for
 * every payee before publishing, publishing as a new effective-dated version; assignments and quotas; the
 * CRM connection, sync and property provisioning status, and a resync button.
 */
import { useState } from 'react';
import {
  Accordion,
  Alert,
  Button,
  DateInput,
  DescriptionList,
  DescriptionListItem,
  EmptyState,
  Flex,
  Heading,
  Input,
  List,
  Select,
  Tab,
  Tabs,
  Text,
  TextArea,
  Tile,
  hubspot,
  useExtensionContext,
} from '@hubspot/ui-extensions';
import type { PlanCheckView, PlanPreviewView, PublishView, SettingsView } from '../../server/http/cards/schemas.js';
import { LABELS, languageOf, type Labels, type Language } from '../i18n/index.js';
import { callApi, useApi, useApiBase } from '../hooks/useApi.js';
import { dateInputFromIso, isoFromDateInput, parseAmountInput, type DateValue } from '../lib/amount.js';
import { apiUrl, errorText } from '../lib/api.js';
import { formFieldPaths, PlanForm, type Draft } from './PlanForm.js';
import { Failed, Loading } from '../lib/states.js';
import { RowsTable } from '../lib/table.js';

type Plan = SettingsView['plans'][number];
const NEW = '__new__';

type Outcome =
  | { kind: 'none' }
  | { kind: 'busy' }
  | { kind: 'errors'; errors: PlanCheckView['errors']; title?: string }
  | { kind: 'valid' }
  | { kind: 'preview'; preview: PlanPreviewView }
  | { kind: 'published'; published: PublishView }
  | { kind: 'failed'; message: string };

function draftFor(plan: Plan | undefined): string {
  if (!plan) return '';
  const versions = (plan.definition as { versions?: unknown[] }).versions ?? [];
  const last = versions[versions.length - 1] as Record<string, unknown> | undefined;
  return last ? JSON.stringify({ ...last, id: '', effectiveFrom: '' }, null, 2) : '';
}

function draftObject(text: string): Draft | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Draft) : null;
  } catch {
    return null;
  }
}

type FieldErrors = PlanCheckView['errors'];

/** A plan call whose refusal carries the plan schema's field messages (4xx `{ error, errors }`), kept as data. */
async function planCall<T>(
  apiBase: string,
  path: string,
  body: Record<string, unknown>,
): Promise<{ ok: true; data: T } | { ok: false; message: string; errors: FieldErrors }> {
  const res = await hubspot.fetch(apiUrl(apiBase, path), { method: 'POST', body });
  const json = (await res.json().catch(() => null)) as { error?: { message?: unknown }; errors?: unknown } | null;
  if (res.ok) return { ok: true, data: json as T };
  const message = typeof json?.error?.message === 'string' ? json.error.message : `HTTP ${res.status}`;
  const errors = Array.isArray(json?.errors) ? (json.errors as FieldErrors) : [];
  return { ok: false, message, errors };
}

/**
 * The schema's messages for the draft version (`plan.versions.<n>.…`) that the form shows next to a field,
 * keyed by the form's path; every other message stays in the list.
 */
function splitErrors(
  errors: FieldErrors,
  draft: Draft | null,
  draftIndex: number,
): { byField: Map<string, string>; rest: FieldErrors } {
  const byField = new Map<string, string>();
  const rest: FieldErrors = [];
  const prefix = `plan.versions.${draftIndex}.`;
  const fields = draft ? new Set([...formFieldPaths(draft), 'effectiveFrom']) : new Set<string>();
  for (const e of errors) {
    const local = e.path.startsWith(prefix) ? e.path.slice(prefix.length) : null;
    if (local !== null && fields.has(local) && !byField.has(local)) byField.set(local, e.message);
    else rest.push(e);
  }
  return { byField, rest };
}

/** The plan document to send: a new plan as typed, or the existing plan with the draft appended as its newest version. */
function composePlan(selected: Plan | undefined, text: string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  if (!selected) return parsed as Record<string, unknown>;
  const draft = parsed as Record<string, unknown>;
  const versions = ((selected.definition as { versions?: unknown[] }).versions ?? []).slice();
  return { ...selected.definition, versions: [...versions, draft] };
}

function PlansTab({ view, labels, onPublished }: { view: SettingsView; labels: Labels; onPublished: () => void }) {
  const s = labels.settings;
  const apiBase = useApiBase();
  const [planId, setPlanId] = useState<string>(view.plans[0]?.id ?? NEW);
  const selected = view.plans.find((p) => p.id === planId);
  const [text, setText] = useState<string>(draftFor(selected));
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });

  const draft = selected ? draftObject(text) : null;
  const draftIndex = ((selected?.definition as { versions?: unknown[] } | undefined)?.versions ?? []).length;
  const { byField, rest } = splitErrors(outcome.kind === 'errors' ? outcome.errors : [], draft, draftIndex);
  const jsonEditor = (
    <TextArea label={s.planJson} name="planJson" rows={16} value={text} onChange={setText} testId="plan-json" />
  );

  const run = async (action: 'check' | 'preview' | 'publish') => {
    const plan = composePlan(selected, text);
    if (!plan) return setOutcome({ kind: 'errors', errors: [{ path: '', message: s.notJson }] });
    if (!apiBase) return setOutcome({ kind: 'failed', message: 'API_BASE is not configured.' });
    setOutcome({ kind: 'busy' });
    try {
      const body = { plan, locale: view.locale };
      if (action === 'check') {
        const r = await callApi<PlanCheckView>(apiBase, {
          path: '/hubspot/settings/plans/check',
          method: 'POST',
          body,
        });
        setOutcome(r.ok ? { kind: 'valid' } : { kind: 'errors', errors: r.errors });
      } else if (action === 'preview') {
        const r = await planCall<PlanPreviewView>(apiBase, '/hubspot/settings/plans/preview', body);
        setOutcome(
          r.ok
            ? { kind: 'preview', preview: r.data }
            : r.errors.length > 0
              ? { kind: 'errors', errors: r.errors, title: r.message }
              : { kind: 'failed', message: r.message },
        );
      } else {
        const r = await planCall<PublishView>(apiBase, '/hubspot/settings/plans/publish', body);
        if (!r.ok)
          return setOutcome(
            r.errors.length > 0
              ? { kind: 'errors', errors: r.errors, title: r.message }
              : { kind: 'failed', message: r.message },
          );
        setOutcome({ kind: 'published', published: r.data });
        onPublished();
      }
    } catch (err) {
      setOutcome({ kind: 'failed', message: errorText(err) });
    }
  };

  return (
    <Flex direction="column" gap="sm">
      {view.plans.length === 0 && <Text testId="no-plans">{s.noPlans}</Text>}
      <Select
        label={s.plans}
        name="plan"
        value={planId}
        options={[
          ...view.plans.map((p) => ({ label: `${p.name} (${p.currency})`, value: p.id })),
          { label: s.newPlan, value: NEW },
        ]}
        onChange={(v) => {
          const id = String(v);
          setPlanId(id);
          setText(draftFor(view.plans.find((p) => p.id === id)));
          setOutcome({ kind: 'none' });
        }}
        testId="plan-select"
      />
      {selected && (
        <List>
          {selected.versions.map((v, i) => (
            <Text key={v.id}>{s.version(i + 1, v.effectiveFrom)}</Text>
          ))}
        </List>
      )}
      {selected && draft && (
        // The draft's own effectiveFrom, so the date picker and the JSON view never disagree.
        <DateInput
          label={s.effectiveFrom}
          name="effectiveFrom"
          format="YYYY-MM-DD"
          value={
            dateInputFromIso(typeof draft.effectiveFrom === 'string' ? draft.effectiveFrom : undefined) ?? undefined
          }
          error={byField.has('effectiveFrom')}
          validationMessage={byField.get('effectiveFrom') ?? ''}
          onChange={(d) => setText(JSON.stringify({ ...draft, effectiveFrom: isoFromDateInput(d) ?? '' }, null, 2))}
          testId="effective-from"
        />
      )}
      {selected ? (
        <>
          <Tile>
            <Heading>{s.form.structured}</Heading>
            {draft ? (
              <PlanForm
                draft={draft}
                labels={labels}
                errors={byField}
                onChange={(next) => setText(JSON.stringify(next, null, 2))}
              />
            ) : (
              <Text testId="form-needs-json">{s.form.fixJson}</Text>
            )}
          </Tile>
          <Accordion title={s.form.advanced} defaultOpen={false}>
            {jsonEditor}
          </Accordion>
        </>
      ) : (
        jsonEditor
      )}
      <Flex direction="row" gap="sm">
        <Button onClick={() => void run('check')} testId="check">
          {s.validate}
        </Button>
        <Button onClick={() => void run('preview')} testId="preview">
          {s.preview}
        </Button>
        <Button variant="primary" onClick={() => void run('publish')} testId="publish">
          {s.publish}
        </Button>
      </Flex>
      {outcome.kind === 'busy' && <Loading labels={labels} />}
      {outcome.kind === 'valid' && <Alert title={s.valid} variant="success" testId="valid" />}
      {outcome.kind === 'failed' && (
        <Alert title={labels.errorTitle} variant="error" testId="failed">
          {outcome.message}
        </Alert>
      )}
      {outcome.kind === 'errors' && (
        <Alert title={outcome.title ?? labels.errorTitle} variant="error" testId="plan-errors">
          {byField.size > 0 && <Text testId="plan-errors-at-fields">{s.form.fieldErrors(byField.size)}</Text>}
          <List>
            {rest.map((e) => (
              <Text key={`${e.path}:${e.message}`}>{e.path ? `${e.path}: ${e.message}` : e.message}</Text>
            ))}
          </List>
        </Alert>
      )}
      {outcome.kind === 'published' && (
        <Alert title={s.published(outcome.published.revision)} variant="success" testId="published" />
      )}
      {outcome.kind === 'preview' && (
        <Flex direction="column" gap="xs">
          <Heading>
            {s.previewTitle} ({outcome.preview.periodId})
          </Heading>
          <RowsTable
            testId="preview-table"
            rows={outcome.preview.rows}
            rowKey={(r) => r.payeeId}
            columns={[
              { title: s.payee, cell: (r) => r.name },
              { title: s.current, cell: (r) => r.current.formatted },
              { title: s.proposed, cell: (r) => r.proposed.formatted },
              { title: s.difference, cell: (r) => r.difference.formatted },
            ]}
          />
        </Flex>
      )}
    </Flex>
  );
}

/** A form's save: PUT the change, then the "saved" note and a reload of the page, or the server's message as the note. */
function useSave(labels: Labels, onSaved: () => void) {
  const apiBase = useApiBase();
  const [note, setNote] = useState<string | null>(null);
  const save = (path: string, body: Record<string, unknown>) => {
    if (!apiBase) return;
    callApi<{ stored: number }>(apiBase, { path, method: 'PUT', body }).then(
      () => {
        setNote(labels.settings.saved);
        onSaved();
      },
      (err: unknown) => setNote(errorText(err)),
    );
  };
  return { apiBase, note, save };
}

/** One quota at a time: payee, period, amount (typed the user's way, sent as a decimal string). */
function QuotaForm({
  view,
  labels,
  language,
  onSaved,
}: {
  view: SettingsView;
  labels: Labels;
  language: Language;
  onSaved: () => void;
}) {
  const s = labels.settings;
  const { apiBase, note, save } = useSave(labels, onSaved);
  const [payeeId, setPayeeId] = useState(view.payees[0]?.id ?? '');
  const [periodId, setPeriodId] = useState('');
  const [amountText, setAmountText] = useState('');
  const amount = parseAmountInput(amountText, language);
  const periodOk = /^\d{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/.test(periodId);
  return (
    <Flex direction="row" gap="sm" align="end">
      <Select
        label={s.payeeCol}
        name="quotaPayee"
        value={payeeId}
        options={view.payees.map((p) => ({ label: p.name, value: p.id }))}
        onChange={(v) => setPayeeId(String(v))}
        testId="quota-payee"
      />
      <Input
        label={s.periodCol}
        name="quotaPeriod"
        value={periodId}
        onChange={setPeriodId}
        error={periodId !== '' && !periodOk}
        validationMessage={periodId !== '' && !periodOk ? s.badPeriod : ''}
        testId="quota-period"
      />
      <Input
        label={s.amountCol}
        name="quotaAmount"
        value={amountText}
        onChange={setAmountText}
        error={amountText !== '' && !amount}
        validationMessage={amountText !== '' && !amount ? labels.deal.badAmount : ''}
        testId="quota-amount"
      />
      <Button
        disabled={!apiBase || !payeeId || !periodOk || !amount}
        testId="quota-save"
        onClick={() => {
          if (amount) save('/hubspot/settings/quotas', { quotas: [{ payeeId, periodId, amount }] });
        }}
      >
        {s.save}
      </Button>
      {note && <Text testId="quota-note">{note}</Text>}
    </Flex>
  );
}

/** One assignment at a time: payee, plan, from and (optional) to. */
function AssignmentForm({ view, labels, onSaved }: { view: SettingsView; labels: Labels; onSaved: () => void }) {
  const s = labels.settings;
  const { apiBase, note, save } = useSave(labels, onSaved);
  const [payeeId, setPayeeId] = useState(view.payees[0]?.id ?? '');
  const [planId, setPlanId] = useState(view.plans[0]?.id ?? '');
  const [from, setFrom] = useState<DateValue | null>(null);
  const [to, setTo] = useState<DateValue | null>(null);
  const fromIso = isoFromDateInput(from);
  return (
    <Flex direction="row" gap="sm" align="end">
      <Select
        label={s.payeeCol}
        name="assignmentPayee"
        value={payeeId}
        options={view.payees.map((p) => ({ label: p.name, value: p.id }))}
        onChange={(v) => setPayeeId(String(v))}
      />
      <Select
        label={s.planCol}
        name="assignmentPlan"
        value={planId}
        options={view.plans.map((p) => ({ label: p.name, value: p.id }))}
        onChange={(v) => setPlanId(String(v))}
      />
      <DateInput
        label={s.fromCol}
        name="assignmentFrom"
        format="YYYY-MM-DD"
        value={from ?? undefined}
        onChange={(d) => setFrom(d ? { year: d.year, month: d.month, date: d.date } : null)}
      />
      <DateInput
        label={s.toCol}
        name="assignmentTo"
        format="YYYY-MM-DD"
        value={to ?? undefined}
        onChange={(d) => setTo(d ? { year: d.year, month: d.month, date: d.date } : null)}
      />
      <Button
        disabled={!apiBase || !payeeId || !planId || !fromIso}
        testId="assignment-save"
        onClick={() => {
          if (fromIso)
            save('/hubspot/settings/assignments', {
              assignments: [{ payeeId, planId, from: fromIso, to: isoFromDateInput(to) ?? null }],
            });
        }}
      >
        {s.save}
      </Button>
      {note && <Text>{note}</Text>}
    </Flex>
  );
}

function ConnectionTab({ view, labels }: { view: SettingsView; labels: Labels }) {
  const s = labels.settings;
  const apiBase = useApiBase();
  const [note, setNote] = useState<string | null>(null);
  const c = view.connection;
  return (
    <Flex direction="column" gap="sm">
      <DescriptionList direction="row">
        <DescriptionListItem label={s.status}>
          <Text testId="connection-status">{c.statusText}</Text>
        </DescriptionListItem>
        <DescriptionListItem label={s.lastSync}>
          <Text>{c.lastSyncText}</Text>
        </DescriptionListItem>
        <DescriptionListItem label={s.provisioning}>
          <Text>{c.provisioning}</Text>
        </DescriptionListItem>
        {c.attainmentRecordsText && (
          <DescriptionListItem label={s.attainmentRecords}>
            <Text testId="attainment-records-status">{c.attainmentRecordsText}</Text>
          </DescriptionListItem>
        )}
      </DescriptionList>
      <Button
        testId="resync"
        onClick={() => {
          if (!apiBase) return;
          callApi<{ runId: string }>(apiBase, { path: '/hubspot/settings/resync', method: 'POST', body: {} }).then(
            () => setNote(s.resyncStarted),
            (err: unknown) => setNote(errorText(err)),
          );
        }}
      >
        {s.resync}
      </Button>
      {note && <Text testId="resync-note">{note}</Text>}
    </Flex>
  );
}

export function Settings() {
  const context = useExtensionContext<'settings'>();
  const language = languageOf(context.user.locale);
  const labels = LABELS[language];
  const s = labels.settings;
  const result = useApi<SettingsView>({
    path: '/hubspot/settings',
    query: { locale: context.user.locale ?? language },
  });
  // After a publish the page reloads behind the current view, so the editor keeps its outcome on screen.
  const view = result.status === 'success' ? result.data : result.status === 'loading' ? result.previous : undefined;
  if (result.status === 'error') return <Failed labels={labels} message={result.message} onRetry={result.reload} />;
  if (!view) return <Loading labels={labels} />;
  return (
    <Tabs defaultSelected="plans">
      <Tab tabId="plans" title={s.plans}>
        <PlansTab view={view} labels={labels} onPublished={result.reload} />
      </Tab>
      <Tab tabId="assignments" title={s.assignments}>
        {view.plans.length > 0 && view.payees.length > 0 && (
          <AssignmentForm view={view} labels={labels} onSaved={result.reload} />
        )}
        {view.assignments.length === 0 ? (
          <EmptyState title={s.assignments} layout="vertical" testId="no-assignments">
            <Text>–</Text>
          </EmptyState>
        ) : (
          <RowsTable
            rows={view.assignments}
            rowKey={(a) => `${a.payeeId}:${a.planId}:${a.from}`}
            columns={[
              { title: s.payeeCol, cell: (a) => a.payeeName },
              { title: s.planCol, cell: (a) => a.planId },
              { title: s.fromCol, cell: (a) => a.from },
              { title: s.toCol, cell: (a) => a.to ?? '–' },
            ]}
          />
        )}
      </Tab>
      <Tab tabId="quotas" title={s.quotas}>
        {view.payees.length > 0 && (
          <QuotaForm view={view} labels={labels} language={language} onSaved={result.reload} />
        )}
        {view.quotas.length === 0 ? (
          <EmptyState title={s.quotas} layout="vertical" testId="no-quotas">
            <Text>–</Text>
          </EmptyState>
        ) : (
          <RowsTable
            testId="quotas-table"
            rows={view.quotas}
            rowKey={(q) => `${q.payeeId}:${q.periodId}`}
            columns={[
              { title: s.payeeCol, cell: (q) => q.payeeName },
              { title: s.periodCol, cell: (q) => q.periodId },
              { title: s.amountCol, cell: (q) => q.amount.formatted },
            ]}
          />
        )}
      </Tab>
      <Tab tabId="connection" title={s.connection}>
        <ConnectionTab view={view} labels={labels} />
      </Tab>
    </Tabs>
  );
}
