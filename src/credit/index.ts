export * from './credit.js';
export * from './filter.js';
