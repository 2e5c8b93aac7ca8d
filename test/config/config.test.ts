import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, encryptionKeyFile, loadConfig, parseEnv } from '../../server/config.js';

const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const dirs: string[] = [];
function tempDataDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'attain-config-'));
  dirs.push(root);
  return join(root, 'data');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function problems(env: NodeJS.ProcessEnv): { variable: string; message: string }[] {
  try {
    parseEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('runs with no configuration at all: port 3000, embedded database, generated local key', () => {
    const dataDir = tempDataDir();
    const config = loadConfig({ ATTAIN_DATA_DIR: dataDir });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(dataDir);
    expect(config.encryptionKey).toHaveLength(32);
    const file = encryptionKeyFile(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A restart reads the same key back.
    expect(loadConfig({ ATTAIN_DATA_DIR: dataDir }).encryptionKey.equals(config.encryptionKey)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(config.encryptionKey.toString('base64'));
  });

  it('names each bad variable in one error', () => {
    const found = problems({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      PUBLIC_BASE_URL: 'not a url',
    });
    expect(found.map((p) => p.variable).sort()).toEqual([
      'ATTAIN_ENCRYPTION_KEY',
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'PUBLIC_BASE_URL',
    ]);
    expect(() => parseEnv({ PORT: '70000' })).toThrow(/PORT must be 0–65535/);
  });

  it('requires ATTAIN_ENCRYPTION_KEY with DATABASE_URL and checks its form', () => {
    expect(problems({ DATABASE_URL: 'postgres://db/attain' })).toEqual([
      { variable: 'ATTAIN_ENCRYPTION_KEY', message: expect.stringContaining('required when DATABASE_URL is set') },
    ]);
    expect(problems({ DATABASE_URL: 'postgres://db/attain', ATTAIN_ENCRYPTION_KEY: 'short' })).toEqual([
      { variable: 'ATTAIN_ENCRYPTION_KEY', message: expect.stringContaining('32 bytes') },
    ]);
    const config = loadConfig({ DATABASE_URL: 'postgres://db/attain', ATTAIN_ENCRYPTION_KEY: KEY_B64, PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/attain', ATTAIN_ENCRYPTION_KEY: '07'.repeat(32) }).encryptionKey.equals(
        Buffer.alloc(32, 7),
      ),
    ).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(parseEnv({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ PORT: 3000, LOG_LEVEL: 'info' });
  });
});
