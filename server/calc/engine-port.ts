import type { DataSet, Deal } from '../../src/data/index.js';
import type { DataWarning, PayeePeriodResult } from '../../src/engine/types.js';
import type { Plan } from '../../src/plan/index.js';

/**
 * What the recalculation service needs from the engine (src/engine). Kept as a port so the service's
 * storage and publishing logic does not depend on how the engine organises its work.
 */
export interface CalcEngine {
  /** Results for `payeeIds` (default all) in each of `periodIds`. */
  calculate(input: { plans: Plan[]; data: DataSet; asOf: string; periodIds: string[]; payeeIds?: readonly string[] }): {
    results: PayeePeriodResult[];
    warnings: DataWarning[];
  };
  /** The (payee, fiscal year) partitions whose results a change of one deal (before → after; null = absent) can alter. */
  touchedPartitions(
    input: { plans: Plan[]; data: DataSet },
    before: Deal | null,
    after: Deal | null,
  ): Array<{ payeeId: string; year: string }>;
}
