/** The `attain calc --json` document: the engine's result reduced to the documented, stable shape. */
import type { CalculationResult, DataWarning, PayoutLine } from '../../../src/engine/types.js';

export interface CalcJson {
  period: string;
  currency: string;
  payees: {
    id: string;
    name: string;
    quota: string;
    credited: string;
    attainment: string;
    earnings: string;
    lines: PayoutLine[];
  }[];
  team: { quota: string; credited: string; attainment: string };
  warnings: DataWarning[];
}

export function toCalcJson(result: CalculationResult): CalcJson {
  return {
    period: result.period,
    currency: result.currency,
    payees: result.payees.map((p) => ({
      id: p.payeeId,
      name: p.name,
      quota: p.quota,
      credited: p.credited,
      attainment: p.attainment,
      earnings: p.earnings,
      lines: p.lines,
    })),
    team: { quota: result.team.quota, credited: result.team.credited, attainment: result.team.attainment },
    warnings: result.warnings,
  };
}
