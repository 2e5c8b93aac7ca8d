/** The store's public surface: open it, then call the repositories with `(store.db | trx, tenantId, …)`. */
export { openStore, type Store, type OpenStoreOptions, type StoreLog } from './open.js';
export { DataDirLockedError } from './data-dir-lock.js';
export type { Database } from './database.js';
export type { Db } from './repos/db.js';
export * from './repos/tenants.js';
export * from './repos/api-tokens.js';
export * from './repos/crm-connections.js';
export * from './repos/payees.js';
export * from './repos/plans.js';
export * from './repos/assignments.js';
export * from './repos/quotas.js';
export * from './repos/deals.js';
export * from './repos/payments.js';
export * from './repos/crm-state.js';
export * from './repos/results.js';
