import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import auditCommand from '../../server/cli/commands/audit.js';
import { listAuditEntries, recordAudit, verifyAuditChain } from '../../server/audit/index.js';
import { openStore, upsertQuotas, upsertTenant, type Store } from '../../server/store/index.js';
import { backends, createTempDataDir, createTestDatabase, describeStores, seedDataDir } from '../helpers/stores.js';

async function tamper(store: Store, statement: string): Promise<void> {
  // A DBA-level change that bypasses the append-only trigger: exactly what the chain must expose.
  await store.db.transaction().execute(async (trx) => {
    await sql.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only').execute(trx);
    await sql.raw(statement).execute(trx);
    await sql.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only').execute(trx);
  });
}

describeStores('audit log', (getStore) => {
  it('chains entries per tenant and commits them with the change they record', async () => {
    const { db } = getStore();
    await upsertTenant(db, { id: 'a', name: 'A', currency: 'DKK', fiscalYearStartMonth: 1 });
    await db.transaction().execute(async (trx) => {
      await upsertQuotas(trx, 'a', [{ payeeId: 'anna', periodId: '2026-Q3', amount: '900000' }]);
      await recordAudit(trx, {
        tenantId: 'a',
        actor: 'admin',
        action: 'quota.set',
        entityType: 'quota',
        entityId: 'anna/2026-Q3',
        before: null,
        after: { amount: '900000' },
      });
    });
    // A failed change leaves no audit entry behind.
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAudit(trx, {
          tenantId: 'a',
          actor: 'admin',
          action: 'quota.set',
          entityType: 'quota',
          entityId: 'x',
          after: { amount: '1' },
        });
        throw new Error('validation failed');
      }),
    ).rejects.toThrow('validation failed');
    await recordAudit(db, {
      tenantId: 'b',
      actor: 'system',
      action: 'settings.changed',
      entityType: 'tenant',
      entityId: 'b',
      before: { locale: 'en' },
      after: { locale: 'da' },
    });
    const a = await listAuditEntries(db, 'a');
    expect(a.map((e) => e.seq)).toEqual([1]);
    expect(a[0]!.after).toEqual({ amount: '900000' });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 2 });
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    const { db } = getStore();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        recordAudit(db, {
          tenantId: 'c',
          actor: `u${i % 3}`,
          action: 'plan.saved',
          entityType: 'plan',
          entityId: 'p',
          after: { i },
        }),
      ),
    );
    const entries = await listAuditEntries(db, 'c', { limit: 100 });
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await verifyAuditChain(db, 'c')).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const { db } = getStore();
    await expect(sql`UPDATE audit_log SET actor = 'mallory'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('detects a row changed directly in the database, a removed tail and a removed middle entry', async () => {
    const store = getStore();
    for (let i = 0; i < 5; i++)
      await recordAudit(store.db, {
        tenantId: 'd',
        actor: 'admin',
        action: 'quota.set',
        entityType: 'quota',
        entityId: `q${i}`,
        after: { amount: `${i}00` },
      });
    await tamper(store, `UPDATE audit_log SET after = '{"amount":"999"}' WHERE tenant_id = 'd' AND seq = 3`);
    expect(await verifyAuditChain(store.db, 'd')).toMatchObject({
      ok: false,
      checked: 2,
      firstBroken: { tenantId: 'd', seq: 3, reason: expect.stringMatching(/does not match its hash/) },
    });
    // Restoring the content repairs it; recomputing the hash in place instead breaks the next link.
    await tamper(store, `UPDATE audit_log SET after = '{"amount":"200"}' WHERE tenant_id = 'd' AND seq = 3`);
    expect((await verifyAuditChain(store.db, 'd')).ok).toBe(true);
    await tamper(store, `UPDATE audit_log SET hash = repeat('a', 64) WHERE tenant_id = 'd' AND seq = 2`);
    expect((await verifyAuditChain(store.db, 'd')).firstBroken?.seq).toBe(2);
    await tamper(store, `DELETE FROM audit_log WHERE tenant_id = 'd' AND seq = 2`);
    expect((await verifyAuditChain(store.db, 'd')).firstBroken).toMatchObject({
      seq: 2,
      reason: expect.stringMatching(/missing/),
    });

    for (let i = 0; i < 2; i++)
      await recordAudit(store.db, {
        tenantId: 'e',
        actor: 'admin',
        action: 'plan.saved',
        entityType: 'plan',
        entityId: 'p',
        after: { i },
      });
    await tamper(store, `DELETE FROM audit_log WHERE tenant_id = 'e' AND seq = 2`);
    expect((await verifyAuditChain(store.db, 'e')).firstBroken?.reason).toMatch(/removed from the end/);
  });
});

describe('attain audit verify', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const backend of backends()) {
    it(`prints the first broken link and exits non-zero [${backend}]`, async () => {
      const pgDb = backend === 'postgres' ? await createTestDatabase() : undefined;
      const dir = createTempDataDir();
      if (!pgDb) await seedDataDir(dir.dataDir);
      const target = pgDb ? ['--database-url', pgDb.url] : ['--data-dir', dir.dataDir];
      try {
        const store = await openStore(pgDb ? { databaseUrl: pgDb.url } : { dataDir: dir.dataDir });
        for (let i = 0; i < 3; i++)
          await recordAudit(store.db, {
            tenantId: 'demo',
            actor: 'admin',
            action: 'quota.set',
            entityType: 'quota',
            entityId: `q${i}`,
            after: { amount: '1' },
          });
        await store.close();

        const out: string[] = [];
        vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
        expect(await auditCommand.run(['verify', ...target])).toBe(0);
        expect(out.pop()).toMatch(/intact: 3 entries/);

        const again = await openStore(pgDb ? { databaseUrl: pgDb.url } : { dataDir: dir.dataDir });
        await tamper(again, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`);
        await again.close();
        expect(await auditCommand.run(['verify', '--tenant', 'demo', ...target])).toBe(1);
        expect(out.pop()).toMatch(/BROKEN: tenant demo, entry 2/);
      } finally {
        dir.remove();
        await pgDb?.drop();
      }
    });
  }
});
