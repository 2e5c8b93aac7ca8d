/** Every change made through the API is audited in the transaction that makes it, as the calling token. */
import { recordAudit, type AuditAction } from '../audit/index.js';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../store/repos/db.js';

export interface Change {
  action: AuditAction;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export async function recordChange(trx: Db, principal: Principal, at: Date, change: Change): Promise<void> {
  await recordAudit(trx, { tenantId: principal.tenantId, actor: principal.actor, at, ...change });
}
