import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmptyState, ErrorState, hubspot, LoadingSpinner, StatisticsItem } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { DealCommission } from '../../extensions/cards/DealCommission.js';
import { jsonResponse } from './fixtures.js';

afterEach(() => vi.restoreAllMocks());

describe('deal card', () => {
  it('shows loading first', async () => {
    const { render, find, mocks } = createRenderer('crm.record.tab');
    mocks.context.variables = { API_BASE: 'https://api.attain.example' };
    vi.spyOn(hubspot, 'fetch').mockReturnValue(new Promise(() => {}));
    render(<DealCommission />);
    expect(find(LoadingSpinner).props.label).toBe('Loading…');
  });
});
