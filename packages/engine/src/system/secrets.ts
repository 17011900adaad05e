import { createHash, randomBytes } from 'node:crypto';

/**
 * The stored form of a high-entropy secret (a refresh, API or one-time token; never a password,
 * which goes through scrypt): its SHA-256. Whoever reads the database cannot use what they read.
 */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** 32 random bytes, URL-safe: what every token's secret part is made of. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
