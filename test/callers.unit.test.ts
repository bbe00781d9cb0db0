import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountKey, TokenCache, UnverifiedCallers } from '../src/security/callers.js';

const jwt = (payload: unknown, signature = 'sig') =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
const sha = (text: string) => createHash('sha256').update(text).digest('base64url');

describe('UnverifiedCallers', () => {
  const callers = new UnverifiedCallers();

  it('keys a JWT by its (unverified) sub: every token of one account is one account', () => {
    const first = jwt({ sub: 'user-1', jti: 'a' }, 'a');
    const second = jwt({ sub: 'user-1', jti: 'b' }, 'b');
    expect(callers.identify(first)).toEqual({ account: sha('sub:user-1'), scopes: undefined });
    expect(callers.identify(second).account).toBe(callers.identify(first).account);
    expect(callers.identify(jwt({ sub: 'user-2' })).account).not.toBe(callers.identify(first).account);
  });

  it.each([
    ['an opaque token', 'opaque-token-value'],
    ['a JWT without sub', jwt({ name: 'x' })],
    ['a JWT with a numeric sub', jwt({ sub: 42 })],
    ['a JWT whose payload is not JSON', 'aaa.bm90LWpzb24.ccc'],
    ['four dot-separated parts', 'a.b.c.d'],
  ])('keys %s by a hash of the whole token', (_case, token) => {
    expect(callers.identify(token).account).toBe(sha(`token:${token}`));
  });

  it('never contains the token or the sub', () => {
    const { account } = callers.identify(jwt({ sub: 'visible-sub' }));
    expect(account).not.toContain('visible-sub');
    expect(account).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keys a long token by its sub too', () => {
    const long = jwt({ sub: 'user-1', pad: 'x'.repeat(5_000) });
    expect(callers.identify(long).account).toBe(accountKey('user-1', long));
  });
});

describe('TokenCache', () => {
  // A token is stored at its second sighting (see the class): each is set twice here, as identify() would.
  const setTwice = (cache: TokenCache<number>, token: string, value: number, until: number) => {
    cache.set(token, value, until);
    cache.set(token, value, until);
  };

  it('forgets an entry at its deadline, and the oldest entry when full', () => {
    const cache = new TokenCache<number>();
    setTwice(cache, 'expired', 1, Date.now() - 1);
    expect(cache.size).toBe(1);
    expect(cache.get('expired')).toBeUndefined();
    for (let i = 0; i <= TokenCache.MAX_ENTRIES; i += 1) setTwice(cache, `t${i}`, i, Number.POSITIVE_INFINITY);
    expect(cache.size).toBe(TokenCache.MAX_ENTRIES);
    expect(cache.get('t0')).toBeUndefined();
    expect(cache.get(`t${TokenCache.MAX_ENTRIES}`)).toBe(TokenCache.MAX_ENTRIES);
    setTwice(cache, 'x'.repeat(TokenCache.MAX_TOKEN_LENGTH + 1), 7, Number.POSITIVE_INFINITY);
    expect(cache.get('x'.repeat(TokenCache.MAX_TOKEN_LENGTH + 1))).toBeUndefined();
  });

  it('stores nothing for tokens seen once (a new user per request), and a token from its second sighting', () => {
    const cache = new TokenCache<number>();
    for (let i = 0; i < 5_000; i += 1) cache.set(`once-${i}`, i, Number.POSITIVE_INFINITY);
    expect(cache.size).toBe(0);
    expect(cache.get('once-4999')).toBeUndefined();
    cache.set('once-4999', 4999, Number.POSITIVE_INFINITY);
    expect(cache.get('once-4999')).toBe(4999);
    expect(cache.size).toBe(1);
  });

  it('never answers for a token that only shares the fingerprinted tail of a stored one', () => {
    const cache = new TokenCache<number>();
    const tail = '.' + 'S'.repeat(40);
    setTwice(cache, `header.payload-a${tail}`, 1, Number.POSITIVE_INFINITY);
    expect(cache.get(`header.payload-a${tail}`)).toBe(1);
    expect(cache.get(`header.payload-b${tail}`)).toBeUndefined();
  });
});
