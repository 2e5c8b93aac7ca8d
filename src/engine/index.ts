export type * from './types.js';
export { prepare, type EngineInput, type EngineContext, type EngineLine, type Partition } from './context.js';
export { calculatePartition, monthsBetween } from './partition.js';
export { calculate, calculateWith, payeePeriodResult, teamTotals } from './calculate.js';
export { estimate, touchedPartitions, type PartitionKey } from './estimate.js';
