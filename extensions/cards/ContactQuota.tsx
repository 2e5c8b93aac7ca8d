/**
 * Contact record: the contact owner's quota progress this period (pacing against time elapsed) and the contact's
 * open deals with the commission the server estimates for them. The owner and the associated deals come from
 * HubSpot's own hooks; the server checks what the viewer may see of them.
 */
import {
  EmptyState,
  Flex,
  Heading,
  ProgressBar,
  Statistics,
  StatisticsItem,
  StatusTag,
  Text,
  useExtensionContext,
} from '@hubspot/ui-extensions';
import { useAssociations, useCrmProperties } from '@hubspot/ui-extensions/crm';
import type { ContactCardView } from '../../server/http/cards/schemas.js';
import { LABELS, languageOf } from '../i18n/index.js';
import { useApi } from '../hooks/useApi.js';
import { Failed, Loading } from '../lib/states.js';
import { RowsTable } from '../lib/table.js';

/** The backend answers for at most this many deals per request. */
const MAX_DEALS = 20;

const PACE_VARIANT = { ahead: 'success', 'on-track': 'info', behind: 'warning' } as const;

export function ContactQuota() {
  const context = useExtensionContext<'crm.record.sidebar'>();
  const language = languageOf(context.user.locale);
  const labels = LABELS[language];
  const owner = useCrmProperties(['hubspot_owner_id']);
  const deals = useAssociations({ toObjectType: '0-3', pageLength: MAX_DEALS });
  const ready = !owner.isLoading && !deals.isLoading;
  const hookError = owner.error ?? deals.error;
  const ownerId = owner.properties.hubspot_owner_id ?? undefined;
  const dealIds = deals.results.map((r) => String(r.toObjectId)).slice(0, MAX_DEALS);

  const result = useApi<ContactCardView>(
    ready && !hookError
      ? {
          path: `/hubspot/cards/contacts/${encodeURIComponent(String(context.crm.objectId))}`,
          query: {
            locale: context.user.locale ?? language,
            ownerId: ownerId || undefined,
            dealIds: dealIds.length > 0 ? dealIds.join(',') : undefined,
          },
        }
      : null,
  );

  if (hookError)
    return (
      <Failed
        labels={labels}
        message={hookError.message}
        onRetry={() => void Promise.all([owner.refetch(), deals.refetch()])}
      />
    );
  if (!ready || result.status === 'loading') return <Loading labels={labels} />;
  if (result.status === 'error') return <Failed labels={labels} message={result.message} onRetry={result.reload} />;
  const view = result.data;
  const c = labels.contact;

  return (
    <Flex direction="column" gap="md">
      {view.owner ? (
        <Flex direction="column" gap="xs">
          <Heading>{c.ownerProgress(view.owner.name)}</Heading>
          <ProgressBar
            title={c.attainment}
            value={view.owner.bar.attained}
            maxValue={Math.max(100, view.owner.bar.attained)}
            valueDescription={`${view.owner.achieved.formatted} / ${view.owner.quota.formatted}`}
            variant={view.owner.pacing === 'behind' ? 'warning' : 'success'}
            testId="owner-progress"
          />
          <Statistics>
            <StatisticsItem label={c.attainment} number={view.owner.attainment.formatted} testId="owner-attainment" />
            <StatisticsItem label={c.elapsed} number={view.owner.timeElapsed.formatted} />
          </Statistics>
          <StatusTag variant={PACE_VARIANT[view.owner.pacing]} testId="pacing">
            {view.owner.pacingText}
          </StatusTag>
        </Flex>
      ) : (
        <EmptyState title={c.emptyTitle} layout="vertical" testId="empty-owner">
          {view.notes.map((n) => (
            <Text key={n}>{n}</Text>
          ))}
        </EmptyState>
      )}
      <Heading>{c.openDeals}</Heading>
      {view.openDeals.length === 0 ? (
        <Text testId="no-deals">{c.noDeals}</Text>
      ) : (
        <RowsTable
          bordered={false}
          testId="open-deals"
          rows={view.openDeals}
          rowKey={(d) => d.dealId}
          columns={[
            { title: c.deal, cell: (d) => d.name },
            { title: c.amount, cell: (d) => d.amount.formatted },
            { title: c.estCommission, cell: (d) => (d.commission ? d.commission.formatted : '–') },
          ]}
        />
      )}
      <Text variant="microcopy">{view.freshness.formatted}</Text>
    </Flex>
  );
}
