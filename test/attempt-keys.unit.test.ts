import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attemptKeys } from '../src/security/attempt-keys.js';

const jwt = (payload: unknown, signature = 'sig') =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
const sha = (text: string) => createHash('sha256').update(text).digest('base64url');

describe('attemptKeys', () => {
  it('keys failures of a JWT by its sub, checks in flight by the token itself', () => {
    const first = jwt({ sub: 'user-1', iat: 1 }, 'a');
    const second = jwt({ sub: 'user-1', iat: 2 }, 'b');
    expect(attemptKeys(first)).toEqual({ account: sha('sub:user-1'), token: sha(`token:${first}`) });
    expect(attemptKeys(second).account).toBe(attemptKeys(first).account);
    expect(attemptKeys(second).token).not.toBe(attemptKeys(first).token);
    expect(attemptKeys(jwt({ sub: 'user-2' })).account).not.toBe(attemptKeys(first).account);
  });

  it.each([
    ['an opaque token', 'opaque-token-value'],
    ['a JWT without sub', jwt({ name: 'x' })],
    ['a JWT with a numeric sub', jwt({ sub: 42 })],
    ['a JWT whose payload is not JSON', 'aaa.bm90LWpzb24.ccc'],
    ['four dot-separated parts', 'a.b.c.d'],
  ])('keys %s by a hash of the whole token', (_case, token) => {
    expect(attemptKeys(token)).toEqual({ account: sha(`token:${token}`), token: sha(`token:${token}`) });
  });

  it('never contains the token or the sub', () => {
    const keys = attemptKeys(jwt({ sub: 'visible-sub' }));
    for (const key of [keys.account, keys.token]) {
      expect(key).not.toContain('visible-sub');
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('stays correct past its memory of recent tokens, and for tokens too long to remember', () => {
    for (let i = 0; i < 1_050; i += 1) attemptKeys(`opaque-${i}`);
    expect(attemptKeys('opaque-0').account).toBe(sha('token:opaque-0'));
    const long = jwt({ sub: 'user-1', pad: 'x'.repeat(5_000) });
    expect(attemptKeys(long).account).toBe(sha('sub:user-1'));
    expect(attemptKeys(long).account).toBe(sha('sub:user-1'));
  });
});
