/**
 * zod schemas of the HubSpot payloads we read, as the SDK hands them over (camelCase, dates as `Date`).
 * Only the fields Attain uses are declared; HubSpot may add more at any time.
 */
import { z } from 'zod';

const idString = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

export const ownerSchema = z.object({
  id: idString,
  email: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  userId: z.number().int().nullish(),
  archived: z.boolean().default(false),
  teams: z.array(z.object({ id: idString, name: z.string(), primary: z.boolean().default(false) })).nullish(),
});
export type HubSpotOwner = z.infer<typeof ownerSchema>;

export const ownerPageSchema = z.object({
  results: z.array(z.unknown()),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

export const stageSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  displayOrder: z.number(),
  archived: z.boolean().default(false),
  /** Strings in HubSpot: isClosed "true"/"false", probability "0.2" or "1.0". */
  metadata: z.record(z.string(), z.string()).default({}),
});

export const pipelineSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  displayOrder: z.number().default(0),
  archived: z.boolean().default(false),
  stages: z.array(stageSchema),
});
export const pipelinesSchema = z.object({ results: z.array(pipelineSchema) });

/** A CRM object: every property value is a string or null. */
export const crmObjectSchema = z.object({
  id: idString,
  properties: z.record(z.string(), z.string().nullable()),
  archived: z.boolean().optional(),
});
export type CrmObject = z.infer<typeof crmObjectSchema>;

export const searchPageSchema = z.object({
  total: z.number().int().nonnegative(),
  results: z.array(z.unknown()),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

export const standardErrorSchema = z.object({
  status: z.string().optional(),
  category: z.string().default('UNKNOWN'),
  message: z.string().default(''),
  context: z.record(z.string(), z.array(z.string())).nullish(),
});
export type StandardError = z.infer<typeof standardErrorSchema>;

export const batchObjectsSchema = z.object({
  status: z.string(),
  results: z.array(z.unknown()),
  errors: z.array(standardErrorSchema).nullish(),
});

export const dealSplitsBatchSchema = z.object({
  status: z.string(),
  results: z.array(z.object({ id: idString, splits: z.array(crmObjectSchema) })),
  errors: z.array(standardErrorSchema).nullish(),
});

export const associationsBatchSchema = z.object({
  status: z.string(),
  results: z.array(
    z.object({
      _from: z.object({ id: idString }),
      to: z.array(z.object({ toObjectId: idString })),
      paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
    }),
  ),
  errors: z.array(standardErrorSchema).nullish(),
});

export const propertySchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  fieldType: z.string(),
  groupName: z.string(),
  archived: z.boolean().default(false),
  calculated: z.boolean().nullish(),
  modificationMetadata: z.object({ readOnlyValue: z.boolean(), readOnlyDefinition: z.boolean().optional() }).nullish(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).nullish(),
});
export type HubSpotProperty = z.infer<typeof propertySchema>;
export const propertiesSchema = z.object({ results: z.array(propertySchema) });

export const accountDetailsSchema = z.object({
  portalId: z.number().int(),
  timeZone: z.string().default('UTC'),
  companyCurrency: z.string().regex(/^[A-Z]{3}$/),
  additionalCurrencies: z.array(z.string()).default([]),
});
export type AccountDetails = z.infer<typeof accountDetailsSchema>;

export const tokenResponseSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresIn: z.number().int().positive(),
});

export const accessTokenInfoSchema = z.object({
  hubId: z.number().int(),
  appId: z.number().int().nullish(),
  userId: z.number().int().nullish(),
  scopes: z.array(z.string()).default([]),
  expiresIn: z.number().int().nullish(),
});

/** Field-level messages from a failed parse, e.g. `properties.amount: Invalid input`. */
export function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(record)'}: ${i.message}`);
}
