import { hash } from 'node:crypto';
import type { AttemptKeys } from './failure-store.js';

/**
 * Whose attempts these are. Failures count per account: the JWT `sub` when the token is a JWT
 * (decoded, not verified: only failures PACE confirmed are counted, so a forged `sub` cannot lock
 * anyone out), else the token itself. Checks in flight count per token, so a forged token with
 * someone's `sub` cannot occupy that person's slots either. Hashed, so the store holds neither
 * tokens nor user ids.
 */
export function attemptKeys(token: string): AttemptKeys {
  let keys = recent.get(token);
  if (keys === undefined) {
    const tokenKey = hash('sha256', `token:${token}`, 'base64url');
    const sub = jwtSubject(token);
    keys = { account: sub === undefined ? tokenKey : hash('sha256', `sub:${sub}`, 'base64url'), token: tokenKey };
    if (token.length <= RECENT_MAX_TOKEN_LENGTH) {
      if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!);
      recent.set(token, keys);
    }
  }
  return keys;
}

// A user sends the same token many times: remembering recent keys skips the decode and the hashes.
// Bounded in count and token size (at most about 2 MB), oldest first out.
const RECENT_LIMIT = 1_000;
const RECENT_MAX_TOKEN_LENGTH = 2_048;
const recent = new Map<string, AttemptKeys>();

function jwtSubject(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const sub = (payload as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}
