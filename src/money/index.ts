export * from './decimal.js';
export * from './currency.js';
export * from './money.js';
export * from './allocate.js';
export * from './fx.js';
export * from './scaled.js';
