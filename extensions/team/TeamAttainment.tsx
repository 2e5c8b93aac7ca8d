/** The manager's team view (app home page): the reference table for a period, totals as Σ achieved / Σ quota. */
import { useState } from 'react';
import {
  EmptyState,
  Flex,
  Heading,
  Select,
  Table,
  TableBody,
  TableCell,
  TableFooter,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  useExtensionContext,
} from '@hubspot/ui-extensions';
import type { TeamView } from '../../server/http/cards/schemas.js';
import { LABELS, languageOf } from '../i18n/index.js';
import { useApi } from '../hooks/useApi.js';
import { Failed, Loading } from '../lib/states.js';

export function TeamAttainment() {
  const context = useExtensionContext();
  const language = languageOf(context.user.locale);
  const labels = LABELS[language];
  const t = labels.team;
  const [period, setPeriod] = useState<string | undefined>(undefined);
  const result = useApi<TeamView>({ path: '/hubspot/cards/team', query: { locale: context.user.locale ?? language, period } });

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
        <Table bordered testId="team-table">
          <TableHead>
            <TableRow>
              <TableHeader>{t.seller}</TableHeader>
              <TableHeader>{t.quota}</TableHeader>
              <TableHeader>{t.achieved}</TableHeader>
              <TableHeader>{t.attainment}</TableHeader>
              <TableHeader>{t.earnings}</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.rows.map((r) => (
              <TableRow key={r.payeeId}>
                <TableCell>{r.name}</TableCell>
                <TableCell>{r.quota.formatted}</TableCell>
                <TableCell>{r.achieved.formatted}</TableCell>
                <TableCell>{r.attainment.formatted}</TableCell>
                <TableCell>{r.earnings.formatted}</TableCell>
              </TableRow>
            ))}
          </TableBody>
          {view.total && (
            <TableFooter>
              <TableRow>
                <TableHeader>{t.total}</TableHeader>
                <TableHeader>{view.total.quota.formatted}</TableHeader>
                <TableHeader>{view.total.achieved.formatted}</TableHeader>
                <TableHeader testId="team-attainment">{view.total.attainment.formatted}</TableHeader>
                <TableHeader>{view.total.earnings.formatted}</TableHeader>
              </TableRow>
            </TableFooter>
          )}
        </Table>
      )}
      <Text variant="microcopy">{view.freshness.formatted}</Text>
    </Flex>
  );
}
