/**
 * HubSpot webhook payloads (platform notes §5): a JSON array of events. Only the fields Attain acts on are
 * required; the rest pass through into the inbox for the record.
 */
import { z } from 'zod';

export const hubspotEventSchema = z.looseObject({
  eventId: z.number({ message: 'must be a number' }).int(),
  subscriptionId: z.number({ message: 'must be a number' }).int(),
  portalId: z.number({ message: 'must be a number' }).int(),
  appId: z.number().int().optional(),
  occurredAt: z.number({ message: 'must be a millisecond timestamp' }).int(),
  subscriptionType: z.string().min(1),
  attemptNumber: z.number().int().min(0).optional(),
  objectId: z.number({ message: 'must be a number' }).int(),
  objectTypeId: z.string().optional(),
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
  sourceId: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
export type HubSpotEvent = z.infer<typeof hubspotEventSchema>;

/** HubSpot sends at most 100 events per request; a little headroom, then refuse. */
export const hubspotEventsSchema = z
  .array(hubspotEventSchema)
  .min(1, 'must hold at least one event')
  .max(1000, 'must hold at most 1000 events');

/** Redeliveries repeat these three; attemptNumber changes and is left out on purpose. */
export function eventKey(e: HubSpotEvent): string {
  return `${e.subscriptionId}:${e.eventId}:${e.occurredAt}`;
}
