/**
 * The custom object Attain writes where the portal has custom objects (Enterprise): one record per payee and
 * published period, so managers can report on quota, credit, attainment and earnings per owner and period
 * directly instead of summing deal properties. Records are keyed by the unique `attain_key` = `<ownerId>:<periodId>`
 * and upserted by it; the object is associated to nothing (HubSpot owners are not CRM records to associate
 * with), the owner id is a property.
 */
import { z } from 'zod';
import type { AttainmentRecord } from '../port.js';

export const ATTAINMENT_OBJECT_NAME = 'attain_attainment';
export const ATTAINMENT_KEY_PROPERTY = 'attain_key';

type Field = Exclude<keyof AttainmentRecord, 'payeeId' | 'periodId'>;

const text = (name: string, label: string) => ({ name, label, type: 'string', fieldType: 'text' }) as const;
const number = (name: string, label: string) => ({ name, label, type: 'number', fieldType: 'number' }) as const;

/** HubSpot property per record field; owner and period are written with every record (they never change). */
export const ATTAINMENT_PROPERTY_BY_FIELD: Readonly<Record<Field | 'payeeId' | 'periodId', string>> = {
  payeeId: 'attain_owner_id',
  periodId: 'attain_period',
  payeeName: 'attain_payee_name',
  currency: 'attain_currency',
  quota: 'attain_quota',
  credited: 'attain_credited',
  attainment: 'attain_attainment_percent',
  earnings: 'attain_earnings',
};

export const ATTAINMENT_SCHEMA = {
  name: ATTAINMENT_OBJECT_NAME,
  labels: { singular: 'Attain attainment', plural: 'Attain attainments' },
  primaryDisplayProperty: ATTAINMENT_KEY_PROPERTY,
  requiredProperties: [ATTAINMENT_KEY_PROPERTY],
  searchableProperties: [ATTAINMENT_KEY_PROPERTY, 'attain_owner_id', 'attain_period'],
  secondaryDisplayProperties: ['attain_payee_name', 'attain_period'],
  properties: [
    { ...text(ATTAINMENT_KEY_PROPERTY, 'Owner and period'), hasUniqueValue: true },
    text('attain_owner_id', 'HubSpot owner id'),
    text('attain_payee_name', 'Payee'),
    text('attain_period', 'Period'),
    text('attain_currency', 'Currency'),
    number('attain_quota', 'Quota'),
    number('attain_credited', 'Credited'),
    number('attain_attainment_percent', 'Attainment (%)'),
    number('attain_earnings', 'Earnings'),
  ],
  associatedObjects: [] as string[],
};

/** The part of a schema answer we rely on. */
export const customSchemasSchema = z.object({
  results: z.array(
    z.object({
      objectTypeId: z.string(),
      name: z.string(),
      properties: z.array(z.object({ name: z.string(), type: z.string(), hasUniqueValue: z.boolean().optional() })),
    }),
  ),
});
export const customSchemaSchema = customSchemasSchema.shape.results.element;

/** Problems with an existing object of our name (made by hand or by an older version): as messages. */
export function schemaProblems(existing: z.infer<typeof customSchemaSchema>): string[] {
  const have = new Map(existing.properties.map((p) => [p.name, p]));
  const problems: string[] = [];
  for (const want of ATTAINMENT_SCHEMA.properties) {
    const p = have.get(want.name);
    if (!p) problems.push(`${want.name}: missing on ${ATTAINMENT_OBJECT_NAME}`);
    else if (p.type !== want.type) problems.push(`${want.name}: type ${p.type}, expected ${want.type}`);
  }
  if (have.get(ATTAINMENT_KEY_PROPERTY) && !have.get(ATTAINMENT_KEY_PROPERTY)!.hasUniqueValue)
    problems.push(`${ATTAINMENT_KEY_PROPERTY}: must have unique values to upsert by it`);
  return problems;
}
