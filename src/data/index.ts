export * from './primitives.js';
export * from './schema.js';
