import { hash } from 'node:crypto';

/**
 * Whose failed attempts these are: the JWT `sub` when the token is a JWT (decoded, not verified:
 * only failures PACE confirmed are counted, so a forged `sub` cannot lock anyone out), else the
 * token itself. Hashed either way, so the store holds neither tokens nor user ids.
 */
export function accountKey(token: string): string {
  let key = recent.get(token);
  if (key === undefined) {
    const sub = jwtSubject(token);
    key = hash('sha256', sub === undefined ? `token:${token}` : `sub:${sub}`, 'base64url');
    if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!);
    recent.set(token, key);
  }
  return key;
}

// A user sends the same token many times: remembering recent keys skips the decode and the hash.
// Bounded, oldest first out; it holds tokens only as Map keys, in this process's memory.
const RECENT_LIMIT = 10_000;
const recent = new Map<string, string>();

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
