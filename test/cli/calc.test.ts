import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dec, sum } from '../../src/money/index.js';
import type { CalcJson } from '../../server/cli/calc/json.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PLAN = 'examples/reference-scenario/plan.json';
const DATA = 'examples/reference-scenario/data.json';

function attain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/attain.js', ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'attain-calc-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('attain calc (spawned CLI)', () => {
  it('--json: the reference scenario Q3 2026 (Anna 1.2, Bo 0.9, Camilla 0.7, team 9,000,000 / 8,100,000 = 0.9)', async () => {
    const r = await attain('calc', '--plan', PLAN, '--data', DATA, '--period', '2026-Q3', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as CalcJson;
    expect(Object.keys(out)).toEqual(['period', 'currency', 'payees', 'team', 'warnings']);
    expect([out.period, out.currency]).toEqual(['2026-Q3', 'DKK']);
    const by = new Map(out.payees.map((p) => [p.id, p]));
    expect([by.get('anna')?.attainment, by.get('bo')?.attainment, by.get('camilla')?.attainment]).toEqual([
      '1.2',
      '0.9',
      '0.7',
    ]);
    expect(
      [by.get('anna')?.credited, by.get('bo')?.credited, by.get('camilla')?.credited].map((v) =>
        dec(v ?? '0').toFixed(),
      ),
    ).toEqual(['1080000', '810000', '630000']);
    expect(out.team).toEqual({ quota: '9000000', credited: '8100000', attainment: '0.9' });
    // The plan: 2 % to 50 %, 4 % to 100 %, 4 % × 1.5 above (examples/reference-scenario/plan.json).
    expect(
      [by.get('anna')?.earnings, by.get('bo')?.earnings, by.get('camilla')?.earnings].map((v) =>
        dec(v ?? '0').toFixed(),
      ),
    ).toEqual(['37800', '23400', '16200']);
    for (const p of out.payees) {
      expect(Object.keys(p)).toEqual(['id', 'name', 'quota', 'credited', 'attainment', 'earnings', 'lines']);
      expect(sum(p.lines.map((l) => dec(l.amount))).equals(dec(p.earnings))).toBe(true);
      for (const v of [p.quota, p.credited, p.attainment, p.earnings]) expect(v).toMatch(/^-?\d+(\.\d+)?$/);
    }
    expect(by.get('anna')?.lines.some((l) => (l.tiers ?? []).some((t) => t.multiplier === '1.5'))).toBe(true);
    // The manager has no quota, is left out of the team totals and earns the override: 0.5 % × 8,100,000.
    const mette = by.get('mette');
    expect([mette?.quota, dec(mette?.earnings ?? '0').toFixed()]).toEqual(['0', '40500']);
    expect(new Set(mette?.lines.map((l) => l.kind))).toEqual(new Set(['override']));
    expect(out.warnings.filter((w) => w.payeeId !== 'mette')).toEqual([]);
  });

  it('prints a Danish table by default and an English one with --lang en', async () => {
    const da = await attain('calc', '--plan', PLAN, '--data', DATA, '--period', '2026-Q3');
    expect(da.code).toBe(0);
    const plain = da.stdout.replace(/[\u00a0\u202f]/g, ' ');
    expect(plain).toMatch(/Anna Jensen\s+900\.000,00 kr\.\s+1\.080\.000,00 kr\.\s+120,0 %\s+37\.800,00 kr\./);
    expect(plain).toMatch(/Team i alt\s+9\.000\.000,00 kr\.\s+8\.100\.000,00 kr\.\s+90,0 %/);
    const en = await attain('calc', '--plan', PLAN, '--data', DATA, '--period', '2026-Q3', '--lang', 'en');
    expect(en.stdout.replace(/[\u00a0\u202f]/g, ' ')).toMatch(
      /Team total\s+DKK 9,000,000\.00\s+DKK 8,100,000\.00\s+90\.0%/,
    );
  });

  it('bad files: exits 1 naming the file and the path of every bad value', async () => {
    const data = JSON.parse(readFileSync(join(root, DATA), 'utf8')) as { deals: Record<string, unknown>[] };
    (data.deals[3] as Record<string, unknown>).amount = 12.5;
    (data.deals[5] as Record<string, unknown>).closeDate = '2026-09-31';
    const badData = join(dir, 'data.json');
    writeFileSync(badData, JSON.stringify(data));
    const badPlan = join(dir, 'plan.json');
    const plan = JSON.parse(readFileSync(join(root, PLAN), 'utf8')) as {
      versions: { components: { rates: { tiers: Record<string, unknown>[] } }[] }[];
    };
    (plan.versions[0]!.components[0]!.rates.tiers[1] as Record<string, unknown>).from = '0.4';
    writeFileSync(badPlan, JSON.stringify(plan));
    const r = await attain('calc', '--plan', badPlan, '--data', badData, '--period', '2026-Q3');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${badPlan}: versions[0].components[0].rates.tiers[1].from: tiers overlap`);
    expect(r.stderr).toContain(`${badData}: deals[3].amount: `);
    expect(r.stderr).toContain(
      `${badData}: deals[5].closeDate: must be a calendar date written YYYY-MM-DD (got "2026-09-31")`,
    );
  });

  it('unreadable or malformed files and wrong options', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "payees": [ }');
    const r = await attain('calc', '--plan', join(dir, 'missing.json'), '--data', broken, '--period', '2026-Q3');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'missing.json')}: cannot read: no such file`);
    expect(r.stderr).toContain(`${broken}: not valid JSON: `);
    const p = await attain('calc', '--plan', PLAN, '--data', DATA, '--period', '2026-Q5');
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('--period: unknown period id "2026-Q5"');
    const m = await attain('calc', '--plan', PLAN);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('missing --data, --period');
  });
});
