import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts CRM tokens at rest: AES-256-GCM with a fresh 12-byte nonce per value. Stored form:
 * `v1.<nonce>.<ciphertext>.<tag>` (base64url), so a future key or algorithm can be told apart. The tenant id
 * is bound as associated data: a token copied to another tenant's row does not decrypt.
 */
export interface TokenCipher {
  encrypt(plaintext: string, tenantId: string): string;
  decrypt(stored: string, tenantId: string): string;
}

export function createTokenCipher(key: Buffer): TokenCipher {
  if (key.length !== 32) throw new Error('[Attain] the token encryption key must be 32 bytes');
  return {
    encrypt(plaintext, tenantId) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(tenantId, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', nonce, body, cipher.getAuthTag()]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    decrypt(stored, tenantId) {
      const [version, nonce, body, tag] = stored.split('.');
      if (version !== 'v1' || nonce === undefined || body === undefined || tag === undefined) {
        throw new Error('[Attain] not an encrypted token (expected v1.<nonce>.<ciphertext>.<tag>)');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(tenantId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(
          '[Attain] a stored token does not decrypt with this key (wrong ATTAIN_ENCRYPTION_KEY, or tampered)',
        );
      }
    },
  };
}
