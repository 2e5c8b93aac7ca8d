/**
 * Sync against the sandbox: a crash after the first committed page resumes at the checkpoint without
 * re-reading what was stored and without missing changes made meanwhile (before or after the checkpoint);
 * our own write-back (attain_* only) bumps hs_lastmodifieddate but changes no engine input, so it marks nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStaticToken, connectorForTenant } from '../../server/crm/hubspot/install.js';
import { PortalBudgets } from '../../server/crm/hubspot/limiter.js';
import { generateScenario, startHubSpotSandbox, type HubSpotSandbox } from '../../server/sandbox/hubspot/index.js';
import { countDeals, getDeal, type Store } from '../../server/store/index.js';
import { countDirty, readDirty, clearDirty } from '../../server/sync/dirty.js';
import { syncHubSpot } from '../../server/sync/hubspot-sync.js';
import { openTestStore } from '../helpers/stores.js';
import { installDeps } from '../e2e/helpers.js';

describe('HubSpot sync checkpoints', () => {
  let sandbox: HubSpotSandbox;
  let opened: { store: Store; dispose(): Promise<void> };
  let deps: ReturnType<typeof installDeps>;
  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({
      scenario: generateScenario({ owners: 5, dealsPerOwner: 100, seed: 3, contactsPerDeal: 1 }),
    });
    opened = await openTestStore('pglite');
    deps = installDeps(opened.store);
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
    await opened.dispose();
  });

  it('resumes after a crash at the last committed page and misses no change', async () => {
    const budgets = new PortalBudgets();
    const { tenantId } = await connectStaticToken(deps, sandbox.accessToken, { basePath: sandbox.url, budgets });
    const connector = await connectorForTenant(deps, tenantId, null, { basePath: sandbox.url, budgets });
    const sync = (afterPage?: () => void) =>
      syncHubSpot({ store: opened.store, tenantId, connector, now: deps.now, ...(afterPage ? { afterPage } : {}) });

    await expect(
      sync(() => {
        throw new Error('simulated crash after the first page');
      }),
    ).rejects.toThrow('simulated crash');
    expect(await countDeals(opened.store.db, tenantId)).toBe(200);

    const ids = [...sandbox.state.objects.deals.keys()].sort();
    const readAlready = ids[10]!; // in the first page (oldest stamps first)
    const notYetRead = ids[450]!;
    sandbox.state.updateDeals([{ id: readAlready, properties: { amount: '123456.78' } }], 'CRM_UI');
    sandbox.state.updateDeals([{ id: notYetRead, properties: { amount: '876543.21' } }], 'CRM_UI');

    const searchesBefore = sandbox.calls.filter((c) => c.path.endsWith('/deals/search')).length;
    const resumed = await sync();
    expect(resumed.resumedFrom).not.toBeNull();
    expect(resumed.dealsRead).toBeLessThanOrEqual(300 + 2);
    expect(sandbox.calls.filter((c) => c.path.endsWith('/deals/search')).length - searchesBefore).toBeLessThanOrEqual(
      3,
    );
    expect(await countDeals(opened.store.db, tenantId)).toBe(500);
    expect((await getDeal(opened.store.db, tenantId, readAlready))?.amount).toBe('123456.78');
    expect((await getDeal(opened.store.db, tenantId, notYetRead))?.amount).toBe('876543.21');
    expect(resumed.problems).toEqual([]);
  });

  it('treats a change to attain_* properties only (our own write-back) as no change', async () => {
    const tenantId = `hubspot-${sandbox.state.portalId}`;
    const connector = await connectorForTenant(deps, tenantId, null, {
      basePath: sandbox.url,
      budgets: new PortalBudgets(),
    });
    await connector.ensureProperties();
    await clearDirty(opened.store.db, tenantId, await readDirty(opened.store.db, tenantId));
    const ids = [...sandbox.state.objects.deals.keys()].slice(0, 120);
    sandbox.state.updateDeals(
      ids.slice(0, 100).map((id) => ({ id, properties: { attain_earned_commission: '1.00' } })),
      'API',
    );
    sandbox.state.updateDeals(
      ids.slice(100).map((id) => ({ id, properties: { attain_earned_commission: '1.00' } })),
      'API',
    );
    const report = await syncHubSpot({ store: opened.store, tenantId, connector, now: deps.now });
    expect(report.dealsRead).toBeGreaterThanOrEqual(120);
    expect(report.dealsChanged).toBe(0);
    expect(await countDirty(opened.store.db, tenantId)).toBe(0);
  });
});
