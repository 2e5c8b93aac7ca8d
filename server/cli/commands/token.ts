/**
 * `attain token create|list|revoke --tenant <id> …`: API tokens for a tenant. The secret is printed once at
 * creation and stored only as a hash. Runs against the configured database (stop an embedded server first).
 */
import { ROLES, type Role } from '../../auth/principal.js';
import { recordAudit } from '../../audit/index.js';
import { createApiToken, getPayee, listApiTokens, revokeApiToken } from '../../store/index.js';
import { cliActor, withTenantStore } from '../operator/store-from-env.js';
import { parseCommand } from '../parse-command.js';

const HELP = `Usage:
  attain token create --tenant <id> --role admin|manager|seller [--payee <payeeId>] [--name <text>]
  attain token list   --tenant <id>
  attain token revoke --tenant <id> --id <tokenId>

Manager and seller tokens act as a payee (--payee). The token is printed once; only its hash is stored.
Database: DATABASE_URL, or the embedded one in ATTAIN_DATA_DIR (default .attain/data).`;

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand('token', HELP, argv, {
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      role: { type: 'string' },
      payee: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const sub = positionals[0];
  const usage = (message: string) => {
    console.error(`attain token: ${message}\n\n${HELP}`);
    return 2;
  };
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') return usage('expected create, list or revoke');
  const tenantId = values.tenant;
  if (!tenantId) return usage('--tenant is required');
  if (sub === 'create') {
    if (!values.role || !(ROLES as readonly string[]).includes(values.role))
      return usage(`--role must be one of ${ROLES.join(', ')}`);
    if (values.role !== 'admin' && !values.payee)
      return usage(`a ${values.role} token needs --payee (the payee it acts as)`);
  }
  if (sub === 'revoke' && !values.id) return usage('--id is required');

  return withTenantStore('token', tenantId, async (store) => {
    if (sub === 'list') {
      for (const t of await listApiTokens(store.db, tenantId)) {
        console.log(
          [
            t.tokenId,
            t.role.padEnd(7),
            (t.payeeId ?? '-').padEnd(12),
            t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active',
            t.name,
          ].join('  '),
        );
      }
      return 0;
    }
    if (sub === 'revoke') {
      const id = values.id as string;
      const ok = await store.db.transaction().execute(async (trx) => {
        const revoked = await revokeApiToken(trx, tenantId, id, new Date());
        if (revoked)
          await recordAudit(trx, {
            tenantId,
            actor: cliActor(),
            action: 'token.revoked',
            entityType: 'api_token',
            entityId: id,
            after: { revoked: true },
          });
        return revoked;
      });
      console.log(ok ? `revoked ${id}` : `no active token ${id} in tenant ${tenantId}`);
      return ok ? 0 : 1;
    }
    const role = values.role as Role;
    const payeeId = values.payee ?? null;
    if (payeeId && !(await getPayee(store.db, tenantId, payeeId))) {
      console.error(`attain token: payee "${payeeId}" does not exist in tenant ${tenantId}`);
      return 1;
    }
    const created = await store.db.transaction().execute(async (trx) => {
      const c = await createApiToken(trx, tenantId, { name: values.name ?? `${role} token (cli)`, role, payeeId });
      await recordAudit(trx, {
        tenantId,
        actor: cliActor(),
        action: 'token.created',
        entityType: 'api_token',
        entityId: c.principal.tokenId,
        after: { role, payeeId, name: c.principal.name },
      });
      return c;
    });
    console.log(
      `${created.token}\n\n(${role}${payeeId ? ` as ${payeeId}` : ''}, id ${created.principal.tokenId}; shown once — store it now)`,
    );
    return 0;
  });
}

export default { summary: 'Create, list or revoke API tokens (attain token create --tenant demo --role admin)', run };
