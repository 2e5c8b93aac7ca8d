/**
 * The process environment, parsed once at start. Every variable is validated with zod and every problem is
 * reported in one message that names the variable, so an operator fixes all of them in one go.
 *
 * ATTAIN_ENCRYPTION_KEY (encrypts CRM tokens at rest):
 * - with DATABASE_URL (shared PostgreSQL, production) it is required: several instances must share one key,
 *   and a key generated on one machine would make the tokens unreadable on the next.
 * - without DATABASE_URL (embedded PGlite, one machine) it is optional: a random key is generated on first
 *   start and kept next to the data folder (`<data dir>/../encryption.key`, mode 0600), so a fresh clone runs
 *   without configuration and a restart can still read what it wrote.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** 32 bytes, written as 64 hex digits or as base64 (44 characters). */
const encryptionKey = z
  .string()
  .trim()
  .refine((s) => decodeKey(s) !== null, {
    message: 'must be 32 bytes written as 64 hex digits or base64 (generate one with `openssl rand -base64 32`)',
  });

const optionalText = z.string().trim().min(1).optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be 0–65535')
    .max(65535, 'must be 0–65535')
    .default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(?:ql)?:\/\//, {
      message: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/attain',
    })
    .optional(),
  ATTAIN_DATA_DIR: z.string().trim().min(1).default('.attain/data'),
  ATTAIN_ENCRYPTION_KEY: encryptionKey.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_BASE_URL: z.url({ message: 'must be an absolute URL such as https://attain.example.com' }).optional(),
  /** Seconds to wait for in-flight requests and jobs on SIGTERM before closing the database anyway. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(0).max(600).default(25),
  // CRM integrations: read by later features; optional so the service runs without any CRM.
  HUBSPOT_CLIENT_ID: optionalText,
  HUBSPOT_CLIENT_SECRET: optionalText,
  HUBSPOT_APP_ID: optionalText,
  SALESFORCE_CLIENT_ID: optionalText,
  SALESFORCE_CLIENT_SECRET: optionalText,
  SALESFORCE_LOGIN_URL: z.url().optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  /** Absent: the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  publicBaseUrl: string | undefined;
  shutdownGraceMs: number;
  /** Raw 32-byte key; resolved by `loadConfig` (generated for the embedded default). */
  encryptionKey: Buffer;
  hubspot: { clientId?: string; clientSecret?: string; appId?: string };
  salesforce: { clientId?: string; clientSecret?: string; loginUrl?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable} ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function decodeKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const buf = Buffer.from(text, 'base64');
    return buf.length === 32 ? buf : null;
  }
  return null;
}

/** Empty strings count as unset: `PORT= npm start` should mean "default", not "bad port". */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''),
  );
}

/** Pure: validates the variables, no file access. Throws ConfigError naming every bad variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const given = withoutEmpty(env);
  const parsed = envSchema.safeParse(given);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message }));
  // Checked on the raw values so it is reported together with every other problem, not after they are fixed.
  if (given.DATABASE_URL && !given.ATTAIN_ENCRYPTION_KEY) {
    problems.push({
      variable: 'ATTAIN_ENCRYPTION_KEY',
      message:
        'is required when DATABASE_URL is set (every instance must share one key; generate one with `openssl rand -base64 32`)',
    });
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

export function encryptionKeyFile(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'encryption.key');
}

function localEncryptionKey(dataDir: string): Buffer {
  const file = encryptionKeyFile(dataDir);
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8').trim());
    if (!key)
      throw new ConfigError([
        { variable: 'ATTAIN_ENCRYPTION_KEY', message: `is unset and the local key file ${file} is not a valid key` },
      ]);
    return key;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** Parses the environment and resolves the encryption key (creating the local one for the embedded default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(env);
  const encryptionKey = e.ATTAIN_ENCRYPTION_KEY
    ? (decodeKey(e.ATTAIN_ENCRYPTION_KEY) as Buffer)
    : localEncryptionKey(e.ATTAIN_DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.ATTAIN_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    encryptionKey,
    hubspot: { clientId: e.HUBSPOT_CLIENT_ID, clientSecret: e.HUBSPOT_CLIENT_SECRET, appId: e.HUBSPOT_APP_ID },
    salesforce: {
      clientId: e.SALESFORCE_CLIENT_ID,
      clientSecret: e.SALESFORCE_CLIENT_SECRET,
      loginUrl: e.SALESFORCE_LOGIN_URL,
    },
  };
}
