import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountKey } from '../src/security/account-key.js';

const jwt = (payload: unknown, signature = 'sig') =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
const sha = (text: string) => createHash('sha256').update(text).digest('base64url');

describe('accountKey', () => {
  it('keys a JWT by its sub, whatever the signature or other claims', () => {
    expect(accountKey(jwt({ sub: 'user-1', iat: 1 }, 'a'))).toBe(sha('sub:user-1'));
    expect(accountKey(jwt({ sub: 'user-1', iat: 2 }, 'b'))).toBe(sha('sub:user-1'));
    expect(accountKey(jwt({ sub: 'user-2' }))).not.toBe(accountKey(jwt({ sub: 'user-1' })));
  });

  it.each([
    ['an opaque token', 'opaque-token-value'],
    ['a JWT without sub', jwt({ name: 'x' })],
    ['a JWT with a numeric sub', jwt({ sub: 42 })],
    ['a JWT whose payload is not JSON', 'aaa.bm90LWpzb24.ccc'],
    ['four dot-separated parts', 'a.b.c.d'],
  ])('keys %s by a hash of the whole token', (_case, token) => {
    expect(accountKey(token)).toBe(sha(`token:${token}`));
  });

  it('never contains the token or the sub', () => {
    const key = accountKey(jwt({ sub: 'visible-sub' }));
    expect(key).not.toContain('visible-sub');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stays correct past its memory of recent tokens', () => {
    for (let i = 0; i < 10_050; i += 1) accountKey(`opaque-${i}`);
    expect(accountKey('opaque-0')).toBe(sha('token:opaque-0'));
    expect(accountKey(jwt({ sub: 'user-1' }))).toBe(sha('sub:user-1'));
  });
});
