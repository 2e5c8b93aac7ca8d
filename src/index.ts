/** Attain's domain: pure, no I/O, no clock. Everything the server, CLI and extensions use comes from here. */
export * from './money/index.js';
export * from './data/index.js';
export * from './time/index.js';
export * from './plan/index.js';
export * from './credit/index.js';
export * from './engine/index.js';
export { estimateOpenDeals, type OpenDealEstimates, type OpenDealEstimateOptions } from './engine/estimate-batch.js';
