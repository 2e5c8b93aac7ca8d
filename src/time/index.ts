export * from './dates.js';
export * from './calendar.js';
export * from './ranges.js';
