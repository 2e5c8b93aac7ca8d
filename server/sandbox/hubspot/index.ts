export { startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from './server.js';
export {
  calendarPeriod,
  DEFAULT_PIPELINE,
  emptyScenario,
  generateScenario,
  loadReferenceDataSet,
  REFERENCE_SCENARIO_PATH,
  scenarioFromDataSet,
  type DataSetMapping,
  type GeneratorOptions,
  type HubSpotScenario,
} from './scenario.js';
export { parseFaultSpec, type FaultConfig, type FaultConfigInput } from './faults.js';
export { callStats, maxInWindow, type CallRecord, type CallStats, type SandboxLimits } from './limits.js';
export { signV3, DEFAULT_SUBSCRIPTIONS, type WebhookEvent, type WebhookSubscription } from './webhooks.js';
