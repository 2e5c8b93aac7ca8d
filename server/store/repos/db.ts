import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Every repository function takes this: the store's `db`, or a transaction from `db.transaction()`. */
export type Db = Kysely<Database>;
