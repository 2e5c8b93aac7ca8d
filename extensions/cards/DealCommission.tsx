/**
 * "What this deal pays me": the server's estimate (open deal) or credited commission (won deal) for the viewer,
 * or for the credited payees a manager/admin may see. Renders the view model; computes nothing.
 */
import { useState } from 'react';
import {
  Accordion,
  Button,
  DateInput,
  Divider,
  EmptyState,
  Flex,
  Heading,
  Input,
  List,
  Statistics,
  StatisticsItem,
  StatusTag,
  Text,
  useExtensionContext,
} from '@hubspot/ui-extensions';
import type { DealCardView, DealPayeeView } from '../../server/http/cards/schemas.js';
import { LABELS, languageOf, type Labels } from '../i18n/index.js';
import { useApi } from '../hooks/useApi.js';
import { dateInputFromIso, isoFromDateInput, parseAmountInput, type DateValue } from '../lib/amount.js';
import { Failed, Loading } from '../lib/states.js';
import { RowsTable } from '../lib/table.js';

interface WhatIf {
  amount?: string;
  closeDate?: string;
}

function PayeeSection({ p, labels }: { p: DealPayeeView; labels: Labels }) {
  return (
    <Flex direction="column" gap="xs">
      <Heading>{p.isViewer ? labels.deal.commission : labels.deal.commissionOf(p.name)}</Heading>
      <Statistics>
        <StatisticsItem label={p.statusText} number={p.commission.formatted} testId={`commission-${p.payeeId}`} />
        <StatisticsItem
          label={labels.deal.attainment}
          number={p.attainmentAfter.formatted}
          testId={`attainment-${p.payeeId}`}
        >
          <Text>{labels.deal.beforeAfter(p.attainmentBefore.formatted, p.attainmentAfter.formatted)}</Text>
        </StatisticsItem>
        <StatisticsItem label={labels.deal.earnings} number={p.earningsAfter.formatted} />
      </Statistics>
      {p.landsInTier !== null && (
        <Text testId={`tier-${p.payeeId}`}>
          {labels.deal.landsIn}: {p.landsInTier}
        </Text>
      )}
      {p.tiers.length > 0 && (
        <RowsTable
          bordered={false}
          rows={p.tiers}
          rowKey={(t) => t.label}
          columns={[
            { title: labels.deal.tier, cell: (t) => t.label },
            { title: labels.deal.credit, cell: (t) => t.credit.formatted },
            {
              title: labels.deal.rate,
              cell: (t) => (t.multiplier === '1' ? t.rate.formatted : `${t.rate.formatted} × ${t.multiplier}`),
            },
            { title: labels.deal.payout, cell: (t) => t.payout.formatted },
          ]}
        />
      )}
      {p.accelerators.length > 0 && (
        <Text>
          {labels.deal.accelerators}: {p.accelerators.map((a) => a.text).join(' · ')}
        </Text>
      )}
      {p.spifs.length > 0 && (
        <Text>
          {labels.deal.spifs}: {p.spifs.map((s) => `${s.text} (${s.amount.formatted})`).join(' · ')}
        </Text>
      )}
      {p.why.length > 0 && (
        <Accordion title={labels.deal.why} size="sm" testId={`why-${p.payeeId}`}>
          <List variant="ordered">
            {p.why.map((w, i) => (
              <Text key={i}>{w.text}</Text>
            ))}
          </List>
        </Accordion>
      )}
    </Flex>
  );
}

function WhatIfForm({
  labels,
  language,
  applied,
  onApply,
}: {
  labels: Labels;
  language: 'da' | 'en';
  applied: WhatIf;
  onApply: (w: WhatIf) => void;
}) {
  const [amountText, setAmountText] = useState(applied.amount ?? '');
  const [closeDate, setCloseDate] = useState<DateValue | null>(dateInputFromIso(applied.closeDate));
  const amount = amountText.trim() === '' ? undefined : parseAmountInput(amountText, language);
  const bad = amount === null;
  return (
    <Flex direction="column" gap="xs">
      <Heading>{labels.deal.whatIf}</Heading>
      <Flex direction="row" gap="sm" align="end">
        <Input
          label={labels.deal.whatIfAmount}
          name="whatIfAmount"
          value={amountText}
          onChange={setAmountText}
          error={bad}
          validationMessage={bad ? labels.deal.badAmount : ''}
          testId="what-if-amount"
        />
        <DateInput
          label={labels.deal.whatIfCloseDate}
          name="whatIfCloseDate"
          format="YYYY-MM-DD"
          value={closeDate ?? undefined}
          onChange={(d) => setCloseDate(d ? { year: d.year, month: d.month, date: d.date } : null)}
          testId="what-if-close-date"
        />
        <Button
          disabled={bad}
          onClick={() => {
            const iso = isoFromDateInput(closeDate);
            onApply({ ...(amount ? { amount } : {}), ...(iso ? { closeDate: iso } : {}) });
          }}
          testId="what-if-apply"
        >
          {labels.deal.whatIfApply}
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            setAmountText('');
            setCloseDate(null);
            onApply({});
          }}
          testId="what-if-reset"
        >
          {labels.deal.whatIfReset}
        </Button>
      </Flex>
    </Flex>
  );
}

export function DealCommission() {
  const context = useExtensionContext<'crm.record.tab'>();
  const language = languageOf(context.user.locale);
  const labels = LABELS[language];
  const [whatIf, setWhatIf] = useState<WhatIf>({});
  const result = useApi<DealCardView>({
    path: `/hubspot/cards/deals/${encodeURIComponent(String(context.crm.objectId))}`,
    query: { locale: context.user.locale ?? language, whatIfAmount: whatIf.amount, whatIfCloseDate: whatIf.closeDate },
  });

  const view = result.status === 'success' ? result.data : result.status === 'loading' ? result.previous : undefined;
  if (result.status === 'error') return <Failed labels={labels} message={result.message} onRetry={result.reload} />;
  if (!view) return <Loading labels={labels} />;
  return (
    <Flex direction="column" gap="md">
      {view.whatIf && (
        <StatusTag variant="info" testId="what-if-active">
          {labels.deal.whatIfActive}
        </StatusTag>
      )}
      {view.payees.length === 0 ? (
        <EmptyState title={labels.deal.emptyTitle} layout="vertical" testId="empty">
          {view.notes.map((n) => (
            <Text key={n}>{n}</Text>
          ))}
        </EmptyState>
      ) : (
        view.payees.map((p) => <PayeeSection key={p.payeeId} p={p} labels={labels} />)
      )}
      {view.status === 'open' && (
        <>
          <Divider />
          <WhatIfForm labels={labels} language={language} applied={whatIf} onApply={setWhatIf} />
          {result.status === 'loading' && <Loading labels={labels} />}
        </>
      )}
      <Text variant="microcopy" testId="freshness">
        {view.freshness.formatted}
      </Text>
    </Flex>
  );
}
