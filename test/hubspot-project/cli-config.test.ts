import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * hubspot.config.yml is the HubSpot CLI's account file. In its normal form the CLI writes personal access keys
 * and cached tokens into it; ours is committed, so it may hold account ids only. Keys reach the CLI through its
 * environment mode (`--use-env` with HUBSPOT_ACCOUNT_ID and HUBSPOT_PERSONAL_ACCESS_KEY).
 */
describe('hubspot.config.yml', () => {
  const text = readFileSync(join(import.meta.dirname, '../../hubspot.config.yml'), 'utf8');

  it('holds no secret and no cached token', () => {
    for (const key of ['personalAccessKey', 'accessToken', 'refreshToken', 'clientSecret', 'apiKey', 'tokenInfo']) {
      expect(text, `${key} must never be committed`).not.toMatch(new RegExp(`^\\s*${key}\\s*:`, 'mi'));
    }
    // Nothing that looks like a HubSpot personal access key (pat-<region>-<uuid>) or a long opaque token.
    expect(text).not.toMatch(/pat-[a-z0-9]+-[0-9a-f-]{20,}/i);
    expect(text).not.toMatch(/[A-Za-z0-9_-]{40,}/);
  });

  it('is git-ignored in its local form', () => {
    expect(readFileSync(join(import.meta.dirname, '../../.gitignore'), 'utf8')).toMatch(
      /^hubspot\.config\.local\.yml$/m,
    );
  });
});
