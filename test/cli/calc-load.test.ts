import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPath, loadData, loadPlan, readJsonFile } from '../../server/cli/calc/load.js';

const dir = mkdtempSync(join(tmpdir(), 'attain-calc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const plan = {
  id: 'p',
  name: 'P',
  currency: 'DKK',
  versions: [
    {
      id: 'v1',
      effectiveFrom: '2026-01-01',
      components: [{ id: 'c', name: 'C', rates: { tiers: [{ from: '0', to: null, rate: '0.05' }] } }],
    },
  ],
};

describe('attain calc file loading', () => {
  it.each([
    [['deals', 3, 'amount'], 'deals[3].amount'],
    [['versions', 0, 'components', 1, 'rates', 'tiers', 2, 'from'], 'versions[0].components[1].rates.tiers[2].from'],
    ['deals.3.splits', 'deals[3].splits'],
    [[], '(root)'],
    ['(root)', '(root)'],
  ] as const)('formats path %j as %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });

  it('names the file for unreadable and malformed JSON, with line and column', async () => {
    const missing = join(dir, 'nope.json');
    expect(await readJsonFile(missing)).toEqual({ ok: false, problems: [`${missing}: cannot read: no such file`] });
    expect(await readJsonFile(dir)).toEqual({ ok: false, problems: [`${dir}: cannot read: is a directory`] });
    const bad = file('bad.json', '{\n  "payees": [\n    { "id": "a", }\n  ]\n}\n');
    const r = await readJsonFile(bad);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems[0]).toMatch(
        new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .*line 3, column \\d+`),
      );
  });

  it('lists every bad value of a data file with file, path and the value', async () => {
    const data = file(
      'data.json',
      JSON.stringify({
        payees: [{ id: 'anna', name: 'Anna' }],
        deals: [
          { id: 'd1', ownerId: 'anna', amount: '100', currency: 'DKK', status: 'won', closeDate: '2026-07-01' },
          { id: 'd2', ownerId: 'anna', amount: 12.5, currency: 'DKK', status: 'won', closeDate: '2026-07-01' },
          { id: 'd3', ownerId: 'anna', amount: '1e5', currency: 'XXY', status: 'won', closeDate: '2026-02-30' },
        ],
        quotas: [{ payeeId: 'anna', periodId: '2026-Q5', amount: '-1' }],
      }),
    );
    const p = await loadPlan(file('plan.json', JSON.stringify(plan)));
    if (!p.ok) throw new Error(p.problems.join('\n'));
    const r = await loadData(data, p.value);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^.*data\\.json: deals\\[1\\]\\.amount: .* \\(got 12\\.5\\)$`)),
        expect.stringMatching(/data\.json: deals\[2\]\.amount: must be a decimal string .* \(got "1e5"\)$/),
        expect.stringMatching(/data\.json: deals\[2\]\.currency: .*ISO 4217.* \(got "XXY"\)$/),
        expect.stringMatching(/data\.json: deals\[2\]\.closeDate: must be a calendar date .* \(got "2026-02-30"\)$/),
        expect.stringMatching(/data\.json: quotas\[0\]\.periodId: must be a period id .* \(got "2026-Q5"\)$/),
        expect.stringMatching(/data\.json: quotas\[0\]\.amount: must not be negative \(got "-1"\)$/),
      ]),
    );
    expect(r.problems.every((p) => p.startsWith(`${data}: `))).toBe(true);
  });

  it('reports cross-record errors (splits not totalling 100 %) with the path', async () => {
    const p = await loadPlan(file('plan2.json', JSON.stringify(plan)));
    if (!p.ok) throw new Error(p.problems.join('\n'));
    const data = file(
      'split.json',
      JSON.stringify({
        payees: [
          { id: 'a', name: 'A' },
          { id: 'b', name: 'B' },
        ],
        deals: [
          {
            id: 'd1',
            ownerId: 'a',
            amount: '100',
            currency: 'DKK',
            status: 'won',
            closeDate: '2026-07-01',
            splits: [
              { payeeId: 'a', share: '0.6' },
              { payeeId: 'b', share: '0.3' },
            ],
          },
        ],
      }),
    );
    const r = await loadData(data, p.value);
    expect(r).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(
          /split\.json: deals\[0\]\.splits: revenue split shares must total 1 \(100 %\), they total 0\.9 \(got \[.*\)$/,
        ),
      ],
    });
  });

  it('names the plan file and the path of each bad plan value', async () => {
    const bad = file(
      'badplan.json',
      JSON.stringify({
        ...plan,
        currency: 'DKR',
        versions: [
          {
            id: 'v1',
            effectiveFrom: '2026-01-01',
            components: [
              {
                id: 'c',
                name: 'C',
                rates: {
                  tiers: [
                    { from: '0', to: '1', rate: '0.05' },
                    { from: '0.9', to: null, rate: '-0.1' },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    const r = await loadPlan(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/badplan\.json: currency: .* \(got "DKR"\)$/),
        expect.stringMatching(
          /badplan\.json: versions\[0\]\.components\[0\]\.rates\.tiers\[1\]\.rate: must not be negative \(got "-0\.1"\)$/,
        ),
      ]),
    );
  });
});
