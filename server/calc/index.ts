export * from './recalculate.js';
export type { CalcEngine } from './engine-port.js';
export { loadCalcInputs, type CalcInputs } from './load-inputs.js';
export { readPublishedResults } from '../store/repos/results.js';
export { domainEngine } from './engine.js';
