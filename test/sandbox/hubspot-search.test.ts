import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SandboxPortal } from '../../server/sandbox/hubspot/portal.js';
import { generateScenario } from '../../server/sandbox/hubspot/index.js';
import type { Filter } from '../../server/sandbox/hubspot/search.js';

describe('sandbox search index', () => {
  // 300 deals, three per stamp, stamps a second apart.
  const scenario = generateScenario({ owners: 3, dealsPerOwner: 100, contactsPerDeal: 0, stepMs: 1 });
  scenario.deals.forEach(
    (d, i) =>
      (d.properties['hs_lastmodifieddate'] = new Date(Date.UTC(2026, 9, 1) + Math.floor(i / 3) * 1000).toISOString()),
  );
  const portal = new SandboxPortal(scenario, () => Date.UTC(2026, 10, 1));
  const first = Date.UTC(2026, 9, 1);

  const filter = fc.oneof(
    fc.record({
      propertyName: fc.constant('hs_lastmodifieddate'),
      operator: fc.constantFrom('GT', 'GTE', 'EQ', 'LT', 'LTE'),
      value: fc.integer({ min: -2, max: 102 }).map((s) => String(first + s * 1000)),
    }),
    fc.record({
      propertyName: fc.constant('hs_object_id'),
      operator: fc.constantFrom('GT', 'GTE', 'LT'),
      value: fc.integer({ min: 0, max: 310 }).map((n) => String(30_000_000_000 + n)),
    }),
    fc.record({
      propertyName: fc.constant('dealstage'),
      operator: fc.constant('EQ'),
      value: fc.constantFrom('closedwon', 'closedlost'),
    }),
  ) as fc.Arbitrary<Filter>;

  it('bounds on the sort property give exactly what a full scan gives', () => {
    fc.assert(
      fc.property(
        fc.array(filter, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('hs_lastmodifieddate', 'hs_object_id'),
        (filters, sortBy) => {
          const request = {
            filterGroups: [{ filters }],
            sorts: [{ propertyName: sortBy, direction: 'ASCENDING' as const }],
            limit: 200,
          };
          // Two identical groups take the full-scan path: same meaning, no bounds.
          const scanned = portal.search('deals', { ...request, filterGroups: [{ filters }, { filters }] });
          expect(portal.search('deals', request).map((o) => o.id)).toEqual(scanned.map((o) => o.id));
        },
      ),
      { numRuns: 60 },
    );
  });
});
