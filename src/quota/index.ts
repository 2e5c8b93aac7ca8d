export * from './ramp.js';
export * from './proration.js';
export * from './allocation.js';
export * from './seasonality.js';
export * from './bottom-up.js';
export * from './capacity.js';
export * from './build.js';
