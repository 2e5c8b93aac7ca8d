import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Deal } from '../../src/data/index.js';
import {
  acceptWebhook,
  createApiToken,
  findApiToken,
  getCrmConnection,
  getPlan,
  listDeals,
  listFxRates,
  listPayees,
  listPlans,
  listQuotas,
  openStore,
  payeeSubtree,
  saveCrmConnection,
  savePlanRevision,
  teamMemberIds,
  getDeal,
  upsertDeals,
  upsertFxRates,
  upsertPayees,
  upsertQuotas,
  upsertTeams,
  upsertTenant,
} from '../../server/store/index.js';
import { createTokenCipher } from '../../server/security/token-cipher.js';
import type { Plan } from '../../src/plan/index.js';
import { createTempDataDir, describeStores, seedDataDir } from '../helpers/stores.js';

const T = 'acme';

function deal(id: string, ownerId: string, amount: string, closeDate: string, extra: Partial<Deal> = {}): Deal {
  return { id, ownerId, amount, currency: 'DKK', status: 'won', closeDate, ...extra };
}

describeStores('store', (getStore) => {
  it('keeps decimal strings exact through NUMERIC and dates as YYYY-MM-DD', async () => {
    const { db } = getStore();
    await upsertTenant(db, { id: T, name: 'Acme', currency: 'DKK', fiscalYearStartMonth: 1 });
    await upsertQuotas(db, T, [
      { payeeId: 'anna', periodId: '2026-Q3', amount: '900000.00' },
      { payeeId: 'anna', periodId: '2026-Q4', amount: '12345678901234567890.123456789' },
    ]);
    const quotas = await listQuotas(db, T, { payeeIds: ['anna'], year: '2026' });
    expect(quotas.map((q) => q.amount)).toEqual(['900000.00', '12345678901234567890.123456789']);
    await upsertFxRates(db, T, [{ from: 'EUR', to: 'DKK', date: '2026-07-01', rate: '7.4612' }]);
    expect(await listFxRates(db, T)).toEqual([{ from: 'EUR', to: 'DKK', date: '2026-07-01', rate: '7.4612' }]);
  });

  it('stores payees and teams with the manager hierarchy', async () => {
    const { db } = getStore();
    await upsertTeams(db, T, [
      { id: 'nordics', name: 'Nordics', managerId: 'mia' },
      { id: 'dk', name: 'Denmark', parentTeamId: 'nordics' },
    ]);
    await upsertPayees(db, T, [
      { id: 'mia', name: 'Mia', managerId: null, teamId: 'nordics', crm: { hubspotOwnerId: '900' } },
      { id: 'anna', name: 'Anna', managerId: 'mia', teamId: 'dk', startDate: '2025-02-01' },
      { id: 'bo', name: 'Bo', managerId: 'anna', teamId: 'dk' },
    ]);
    expect((await listPayees(db, T)).map((p) => p.id)).toEqual(['anna', 'bo', 'mia']);
    expect((await listPayees(db, T, ['anna']))[0]).toMatchObject({ startDate: '2025-02-01', managerId: 'mia' });
    expect((await payeeSubtree(db, T, 'mia')).sort()).toEqual(['anna', 'bo', 'mia']);
    expect(await teamMemberIds(db, T, 'nordics')).toEqual(['anna', 'bo', 'mia']);
  });

  it('upserts deals, reports only real input changes (echo suppression) and finds a payee’s deals by split', async () => {
    const { db } = getStore();
    const first = await upsertDeals(db, T, [
      deal('d1', 'anna', '100000.50', '2026-07-10'),
      deal('d2', 'bo', '50000', '2026-08-01', {
        splits: [
          { payeeId: 'bo', share: '0.6', type: 'revenue' },
          { payeeId: 'anna', share: '0.4', type: 'revenue' },
        ],
      }),
    ]);
    expect(first.map((c) => [c.after.id, c.before])).toEqual([
      ['d1', null],
      ['d2', null],
    ]);
    // Same inputs, new display name: stored, but no change for the engine.
    expect(await upsertDeals(db, T, [deal('d1', 'anna', '100000.50', '2026-07-10', { name: 'Renamed' })])).toEqual([]);
    const moved = await upsertDeals(db, T, [deal('d1', 'bo', '100000.50', '2026-07-10')]);
    expect(moved).toHaveLength(1);
    expect(moved[0]!.before?.ownerId).toBe('anna');
    const annas = await listDeals(db, T, { payeeIds: ['anna'], from: '2026-01-01', to: '2026-12-31' });
    expect(annas.map((d) => d.id)).toEqual(['d2']);
    expect(annas[0]!.amount).toBe('50000');
  });

  it('bulk upsert: one change per deal across chunks, the last duplicate wins, splits kept in step with the deal', async () => {
    const { db } = getStore();
    const split = (a: string, b: string) => ({
      splits: [
        { payeeId: a, share: '0.5', type: 'revenue' as const },
        { payeeId: b, share: '0.5', type: 'revenue' as const },
      ],
    });
    const base = Array.from({ length: 7 }, (_, i) =>
      deal(`b${i}`, 'cleo', `${1000 + i}.10`, '2026-03-01', i === 0 ? split('cleo', 'dan') : {}),
    );
    expect(await upsertDeals(db, T, base, { chunkSize: 3 })).toHaveLength(7);
    const next = [
      deal('b0', 'cleo', '1000.10', '2026-03-01', split('cleo', 'erik')), // dan leaves, erik joins
      deal('b1', 'cleo', '1001.10', '2026-03-01', { name: 'echo' }), // display name only
      deal('b2', 'cleo', '1.00', '2026-03-01'),
      deal('b2', 'cleo', '2.00', '2026-03-01'), // later duplicate wins
      deal('b9', 'dan', '9.99', '2026-04-01'),
    ];
    const changes = await upsertDeals(db, T, next, { chunkSize: 4 });
    expect(changes.map((c) => [c.after.id, c.before?.amount ?? null, c.after.amount])).toEqual([
      ['b0', '1000.10', '1000.10'],
      ['b2', '1002.10', '2.00'],
      ['b9', null, '9.99'],
    ]);
    expect(changes[0]!.before?.splits?.map((s) => s.payeeId)).toEqual(['cleo', 'dan']);
    const ids = async (payee: string) => (await listDeals(db, T, { payeeIds: [payee] })).map((d) => d.id);
    expect(await ids('dan')).toEqual(['b9']);
    expect(await ids('erik')).toEqual(['b0']);
    expect((await ids('cleo')).filter((id) => id.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    expect((await getDeal(db, T, 'b1'))?.name).toBe('echo');
    expect(await upsertDeals(db, T, next)).toEqual([]);
  });

  it('keeps plan revisions immutable', async () => {
    const { db } = getStore();
    const plan = {
      id: 'ae',
      name: 'AE plan',
      currency: 'DKK',
      versions: [{ id: 'v1', effectiveFrom: '2026-01-01', components: [] }],
    } as unknown as Plan;
    const r1 = await savePlanRevision(db, T, plan, 'admin');
    const r2 = await savePlanRevision(db, T, { ...plan, name: 'AE plan 2' }, 'admin');
    expect([r1.revision, r2.revision]).toEqual([1, 2]);
    expect((await getPlan(db, T, 'ae'))?.plan.name).toBe('AE plan 2');
    expect((await getPlan(db, T, 'ae', 1))?.plan.name).toBe('AE plan');
    expect((await listPlans(db, T)).map((p) => p.revision)).toEqual([2]);
    await expect(db.updateTable('plan_versions').set({ created_by: 'mallory' }).execute()).rejects.toThrow(
      /append-only/,
    );
  });

  it('hashes API tokens and encrypts CRM tokens at rest', async () => {
    const { db } = getStore();
    const { token } = await createApiToken(db, T, { name: 'ci', role: 'admin' });
    expect(await findApiToken(db, token)).toMatchObject({ tenantId: T, role: 'admin' });
    expect(await findApiToken(db, token + 'x')).toBeUndefined();
    const stored = await db.selectFrom('api_tokens').select('token_hash').execute();
    expect(stored.some((r) => r.token_hash.includes(token))).toBe(false);

    const cipher = createTokenCipher(Buffer.alloc(32, 7));
    await saveCrmConnection(
      db,
      cipher,
      T,
      {
        provider: 'hubspot',
        accountId: '123',
        instanceUrl: null,
        accessToken: 'secret-access',
        refreshToken: 'secret-refresh',
        expiresAt: null,
        scopes: ['crm.objects.deals.read'],
        status: 'connected',
      },
      new Date(),
    );
    const raw = await db
      .selectFrom('crm_connections')
      .select(['access_token_enc', 'refresh_token_enc'])
      .executeTakeFirstOrThrow();
    expect(raw.access_token_enc).not.toContain('secret');
    expect((await getCrmConnection(db, cipher, T, 'hubspot'))?.refreshToken).toBe('secret-refresh');
    await expect(getCrmConnection(db, createTokenCipher(Buffer.alloc(32, 8)), T, 'hubspot')).rejects.toThrow(
      /does not decrypt/,
    );
  });

  it('accepts a webhook once per dedupe key', async () => {
    const { db } = getStore();
    expect(await acceptWebhook(db, T, 'hubspot', 'evt-1', { a: 1 })).not.toBeNull();
    expect(await acceptWebhook(db, T, 'hubspot', 'evt-1', { a: 1 })).toBeNull();
  });
});

describe('embedded data directory lock', () => {
  it('refuses a second process with the directory and the holder’s pid, and takes over a stale lock', async () => {
    const dir = createTempDataDir();
    await seedDataDir(dir.dataDir);
    try {
      const store = await openStore({ dataDir: dir.dataDir });
      const child = fork(new URL('./open-store-child.ts', import.meta.url).pathname, [dir.dataDir], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(3);
      expect(out).toContain(dir.dataDir);
      expect(out).toContain(`pid ${process.pid}`);
      await store.close();

      // A holder that died without releasing: the lock file names a pid that no longer runs.
      const { writeFileSync } = await import('node:fs');
      const { hostname } = await import('node:os');
      writeFileSync(`${dir.dataDir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), token: 'dead' }));
      const again = await openStore({ dataDir: dir.dataDir });
      await again.close();
    } finally {
      dir.remove();
    }
  }, 120_000); // spawns a process and creates a data directory: slow on a loaded machine, not a timing assertion
});
