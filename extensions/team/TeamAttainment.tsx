/** The manager's team view (app home page): the reference table for a period, totals as Σ achieved / Σ quota. */
import { useState } from 'react';
import {
  EmptyState,
  Flex,
  Heading,
  Select,
  TableFooter,
  TableHeader,
  TableRow,
  Text,
  useExtensionContext,
} from '@hubspot/ui-extensions';
import type { TeamView } from '../../server/http/cards/schemas.js';
import { LABELS, languageOf } from '../i18n/index.js';
import { useApi } from '../hooks/useApi.js';
import { Failed, Loading } from '../lib/states.js';
import { RowsTable } from '../lib/table.js';

export function TeamAttainment() {
  const context = useExtensionContext();
  const language = languageOf(context.user.locale);
  const labels = LABELS[language];
  const t = labels.team;
  const [period, setPeriod] = useState<string | undefined>(undefined);
  const result = useApi<TeamView>({
    path: '/hubspot/cards/team',
    query: { locale: context.user.locale ?? language, period },
  });

  if (result.status === 'loading') return <Loading labels={labels} />;
  if (result.status === 'error') return <Failed labels={labels} message={result.message} onRetry={result.reload} />;
  const view = result.data;
  return (
    <Flex direction="column" gap="md">
      <Heading>{t.title}</Heading>
      {view.periods.length > 1 && (
        <Select
          label={t.period}
          name="period"
          value={view.periodId}
          options={view.periods.map((p) => ({ label: p, value: p }))}
          onChange={(v) => setPeriod(String(v))}
          testId="period"
        />
      )}
      {view.rows.length === 0 ? (
        <EmptyState title={t.emptyTitle} layout="vertical" testId="empty">
          <Text>{t.emptyText}</Text>
        </EmptyState>
      ) : (
        <RowsTable
          testId="team-table"
          rows={view.rows}
          rowKey={(r) => r.payeeId}
          columns={[
            { title: t.seller, cell: (r) => r.name },
            { title: t.quota, cell: (r) => r.quota.formatted },
            { title: t.achieved, cell: (r) => r.achieved.formatted },
            { title: t.attainment, cell: (r) => r.attainment.formatted },
            { title: t.earnings, cell: (r) => r.earnings.formatted },
          ]}
          footer={
            view.total && (
              <TableFooter>
                <TableRow>
                  <TableHeader>{t.total}</TableHeader>
                  <TableHeader>{view.total.quota.formatted}</TableHeader>
                  <TableHeader>{view.total.achieved.formatted}</TableHeader>
                  <TableHeader testId="team-attainment">{view.total.attainment.formatted}</TableHeader>
                  <TableHeader>{view.total.earnings.formatted}</TableHeader>
                </TableRow>
              </TableFooter>
            )
          }
        />
      )}
      <Text variant="microcopy">{view.freshness.formatted}</Text>
    </Flex>
  );
}
