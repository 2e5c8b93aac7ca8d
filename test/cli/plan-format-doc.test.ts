import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataSetSchema } from '../../src/data/index.js';
import { checkDataSet, parsePlan, type Plan } from '../../src/plan/index.js';

/** Every ```json block of docs/plan-format.md is a complete plan or data file and must validate. */
const doc = readFileSync(new URL('../../docs/plan-format.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m, i) => {
  const line = doc.slice(0, m.index).split('\n').length + 1;
  return { i, line, text: m[1] as string };
});

describe('docs/plan-format.md examples', () => {
  it('has an example block for every switch', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(25);
  });

  let lastPlan: Plan | undefined;
  for (const block of blocks) {
    it(`block ${block.i + 1} (line ${block.line}) is a valid ${block.text.includes('"versions"') ? 'plan' : 'data file'}`, () => {
      const value = JSON.parse(block.text) as Record<string, unknown>;
      if ('versions' in value) {
        const parsed = parsePlan(value);
        expect(parsed.ok ? [] : parsed.errors).toEqual([]);
        if (parsed.ok) lastPlan = parsed.plan;
        return;
      }
      const data = dataSetSchema.safeParse(value);
      expect(data.success ? [] : data.error.issues).toEqual([]);
      // A data block right after a plan block belongs to it.
      const previous = blocks[block.i - 1];
      if (data.success && previous?.text.includes('"versions"') && lastPlan) {
        expect(checkDataSet(data.data, [lastPlan]).errors).toEqual([]);
      }
    });
  }
});
