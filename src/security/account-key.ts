import { createHash } from 'node:crypto';

/**
 * Whose failed attempts these are: the JWT `sub` when the token is a JWT (decoded, not verified:
 * only failures PACE confirmed are counted, so a forged `sub` cannot lock anyone out), else the
 * token itself. Hashed either way, so the store holds neither tokens nor user ids.
 */
export function accountKey(token: string): string {
  const sub = jwtSubject(token);
  return createHash('sha256').update(sub === undefined ? `token:${token}` : `sub:${sub}`).digest('base64url');
}

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
