/**
 * The deal properties Attain writes, in one "Attain" group. Money is `number` (HubSpot has no currency type;
 * values are written as decimal strings), so managers can sum them in deal reports grouped by owner
 * ("commission by owner") or by team ("team attainment"): reports need plain number properties, which every
 * tier can report on.
 */
import type { PropertyProblem, ResultField } from '../port.js';
import type { HubSpotProperty } from './schemas.js';

export const ATTAIN_GROUP = { name: 'attain', label: 'Attain', displayOrder: -1 } as const;

export interface PropertyDefinition {
  field: ResultField;
  name: string;
  label: string;
  description: string;
  type: 'number' | 'string' | 'datetime';
  fieldType: 'number' | 'text' | 'date';
  /** Money: HubSpot shows the portal's currency symbol. */
  currency?: boolean;
}

export const ATTAIN_DEAL_PROPERTIES: readonly PropertyDefinition[] = [
  {
    field: 'estimatedCommission',
    name: 'attain_estimated_commission',
    label: 'Estimated commission',
    description:
      'What this deal pays its owner if won, calculated by Attain. Written by Attain; edits are overwritten.',
    type: 'number',
    fieldType: 'number',
    currency: true,
  },
  {
    field: 'earnedCommission',
    name: 'attain_earned_commission',
    label: 'Earned commission',
    description: 'Commission earned on this won deal, calculated by Attain. Written by Attain; edits are overwritten.',
    type: 'number',
    fieldType: 'number',
    currency: true,
  },
  {
    field: 'creditedAmount',
    name: 'attain_credited_amount',
    label: 'Credited amount',
    description: "The amount credited to the owner's quota after splits and crediting rules. Written by Attain.",
    type: 'number',
    fieldType: 'number',
    currency: true,
  },
  {
    field: 'commissionPeriod',
    name: 'attain_commission_period',
    label: 'Commission period',
    description: 'The plan period this deal is credited to, e.g. 2026-Q3. Written by Attain.',
    type: 'string',
    fieldType: 'text',
  },
  {
    field: 'tierReached',
    name: 'attain_tier_reached',
    label: 'Tier reached',
    description: 'The commission tier the owner reached with this deal. Written by Attain.',
    type: 'string',
    fieldType: 'text',
  },
  {
    field: 'ownerAttainment',
    name: 'attain_owner_attainment',
    label: 'Owner attainment (%)',
    description: "The owner's quota attainment in percent once this deal is counted. Written by Attain.",
    type: 'number',
    fieldType: 'number',
  },
  {
    field: 'lastCalculatedAt',
    name: 'attain_last_calculated_at',
    label: 'Last calculated by Attain',
    description: 'When Attain last calculated the values in this group for this deal.',
    type: 'datetime',
    fieldType: 'date',
  },
];

export const PROPERTY_BY_FIELD: ReadonlyMap<ResultField, PropertyDefinition> = new Map(
  ATTAIN_DEAL_PROPERTIES.map((d) => [d.field, d]),
);

/** The create body for one definition (HubSpot's PropertyCreate). */
export function createBody(def: PropertyDefinition) {
  return {
    name: def.name,
    label: def.label,
    description: def.description,
    groupName: ATTAIN_GROUP.name,
    type: def.type,
    fieldType: def.fieldType,
    formField: false,
    ...(def.currency ? { showCurrencySymbol: true } : {}),
  };
}

/** Compares what the portal has with what we write: exists, writable, right type. */
export function checkDefinitions(existing: ReadonlyMap<string, HubSpotProperty>): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  for (const def of ATTAIN_DEAL_PROPERTIES) {
    const actual = existing.get(def.name);
    if (!actual) {
      problems.push({
        property: def.name,
        problem: 'missing',
        message: `deal property ${def.name} does not exist; run provisioning`,
      });
      continue;
    }
    if (actual.archived) {
      problems.push({
        property: def.name,
        problem: 'archived',
        message: `deal property ${def.name} is archived; restore it in HubSpot's property settings`,
      });
    }
    if (actual.type !== def.type || actual.fieldType !== def.fieldType) {
      problems.push({
        property: def.name,
        problem: 'wrong-type',
        message: `deal property ${def.name} is ${actual.type}/${actual.fieldType} but Attain writes ${def.type}/${def.fieldType}`,
      });
    }
    if (actual.calculated) {
      problems.push({
        property: def.name,
        problem: 'calculated',
        message: `deal property ${def.name} is a calculated property; HubSpot will not accept values`,
      });
    }
    if (actual.modificationMetadata?.readOnlyValue) {
      problems.push({ property: def.name, problem: 'read-only', message: `deal property ${def.name} is read-only` });
    }
  }
  return problems;
}
