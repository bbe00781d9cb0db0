/** The PIN-guessing defence over real HTTP against the sandbox: counted per account, only when PACE confirms. */
import { describe, expect, it } from 'vitest';
import { APP_SCOPES, DEMO } from '../src/sandbox/index.js';
import { attempt, startSandboxedGateway } from './helpers/sandbox.js';

/** A JWT for `sub` that PACE does not know (as an attacker could mint). */
const forgedToken = (sub: string) =>
  [{ alg: 'none' }, { sub, scope: 'user:otp:create' }].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.forged';

/** The sandbox answering after 300 ms, so checks overlap. */
const SLOW = { latencyMs: 300 };

describe('PIN guard', () => {
  it('refuses the sixth attempt after five wrong PINs, without calling upstream, with an honest retryAfterSeconds', async () => {
    await using gw = await startSandboxedGateway();
    for (let i = 0; i < 5; i += 1) expect((await attempt(gw.url, '0000')).__typename).toBe('InvalidCredentials');
    expect(gw.received).toHaveLength(5);
    const refused = await attempt(gw.url, DEMO.user.pin); // even the right PIN: the account is locked
    expect(refused).toMatchObject({ __typename: 'RateLimited', retryAfterSeconds: expect.any(Number) });
    expect(refused.retryAfterSeconds).toBeGreaterThan(890);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(900);
    expect(gw.received).toHaveLength(5);
  });

  it('a success resets the count', async () => {
    await using gw = await startSandboxedGateway();
    for (let i = 0; i < 4; i += 1) await attempt(gw.url, '0000');
    expect((await attempt(gw.url, DEMO.user.pin)).__typename).toBe('Otp');
    for (let i = 0; i < 5; i += 1) expect((await attempt(gw.url, '0000')).__typename).toBe('InvalidCredentials');
    expect((await attempt(gw.url, '0000')).__typename).toBe('RateLimited');
  });

  it('honours PIN_MAX_FAILURES and PIN_FAILURE_WINDOW_SECONDS', async () => {
    await using gw = await startSandboxedGateway({ env: { PIN_MAX_FAILURES: '2', PIN_FAILURE_WINDOW_SECONDS: '1' } });
    await attempt(gw.url, '0000');
    await attempt(gw.url, '0000');
    expect(await attempt(gw.url, DEMO.user.pin)).toMatchObject({ __typename: 'RateLimited', retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await attempt(gw.url, DEMO.user.pin)).__typename).toBe('Otp');
  });

  it('keys by the JWT sub: another token of the same account shares the count', async () => {
    await using gw = await startSandboxedGateway({ env: { PIN_MAX_FAILURES: '2' } });
    await attempt(gw.url, '0000');
    await attempt(gw.url, '0000');
    // Same sub, another genuine token (a refresh, another device): refused before asking PACE.
    expect((await attempt(gw.url, DEMO.user.pin, gw.sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))).__typename).toBe('RateLimited');
    expect((await attempt(gw.url, DEMO.user.pin, forgedToken(DEMO.user.sub))).__typename).toBe('RateLimited');
    expect(gw.received).toHaveLength(2);
    // Another account is untouched.
    expect((await attempt(gw.url, DEMO.unlinked.pin, DEMO.unlinked.token)).__typename).toBe('MissingLinkedIdentity');
  });

  it('a forged token with the victim\'s sub cannot lock the victim out (PACE answers 401, nothing counts)', async () => {
    await using gw = await startSandboxedGateway({ env: { PIN_MAX_FAILURES: '2' } });
    for (let i = 0; i < 6; i += 1) expect((await attempt(gw.url, '0000', forgedToken(DEMO.user.sub))).__typename).toBe('Unauthenticated');
    expect((await attempt(gw.url, DEMO.user.pin)).__typename).toBe('Otp');
  });

  it('parallel guesses cannot slip past the limit together', async () => {
    await using gw = await startSandboxedGateway();
    const results = await Promise.all(Array.from({ length: 12 }, () => attempt(gw.url, '0000')));
    const types = results.map((r) => r.__typename).sort();
    expect(types.filter((t) => t === 'InvalidCredentials')).toHaveLength(5);
    expect(types.filter((t) => t === 'RateLimited')).toHaveLength(7);
    expect(gw.received).toHaveLength(5);
  });

  it('many tokens of one account, all guessing in parallel: at most PIN_MAX_FAILURES guesses reach PACE', async () => {
    await using gw = await startSandboxedGateway({ sandbox: SLOW });
    const tokens = Array.from({ length: 8 }, () => gw.sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }));
    const results = await Promise.all(tokens.flatMap((token) => Array.from({ length: 5 }, () => attempt(gw.url, '0000', token))));
    expect(gw.received.length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.__typename === 'InvalidCredentials')).toHaveLength(gw.received.length);
    expect(results.filter((r) => r.__typename === 'RateLimited')).toHaveLength(40 - gw.received.length);
    // Locked: a fresh token of that account is refused without a PACE call; another account is untouched.
    const calls = gw.received.length;
    expect((await attempt(gw.url, DEMO.user.pin, gw.sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))).__typename).toBe('RateLimited');
    expect(gw.received).toHaveLength(calls);
    expect((await attempt(gw.url, DEMO.unlinked.pin, DEMO.unlinked.token)).__typename).toBe('MissingLinkedIdentity');
  });

  it("without verification, a forged token with the victim's sub holds the victim's slots only while PACE rejects it", async () => {
    await using gw = await startSandboxedGateway({ sandbox: SLOW });
    const forged = Array.from({ length: 6 }, () => attempt(gw.url, '0000', forgedToken(DEMO.user.sub)));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the forged checks are in flight
    expect((await attempt(gw.url, DEMO.user.pin)).__typename).toBe('RateLimited'); // the documented price (README: PIN guard)
    const refused = (await Promise.all(forged)).map((r) => r.__typename);
    expect(refused.filter((t) => t === 'Unauthenticated')).toHaveLength(5);
    expect((await attempt(gw.url, DEMO.user.pin)).__typename).toBe('Otp'); // nothing counted
  });

  it('with verification, a forged token never reaches the guard or PACE', async () => {
    await using gw = await startSandboxedGateway({ sandbox: SLOW, env: (sandbox) => ({ PACE_JWKS_URL: sandbox.jwksUrl, PACE_TOKEN_ISSUER: sandbox.issuer }) });
    const forged = Array.from({ length: 6 }, () => attempt(gw.url, '0000', forgedToken(DEMO.user.sub)));
    expect((await attempt(gw.url, DEMO.user.pin, gw.sandbox.demo.user.token)).__typename).toBe('Otp');
    expect((await Promise.all(forged)).map((r) => r.__typename)).toEqual(Array(6).fill('Unauthenticated'));
    expect(gw.received.filter((request) => request.path.endsWith('/user/otp'))).toHaveLength(1);
  });

  it('keys an opaque (non-JWT) token by its hash', async () => {
    await using gw = await startSandboxedGateway({ env: { PIN_MAX_FAILURES: '1' } });
    // The sandbox does not know this token: 401s never count, so it is never locked.
    for (let i = 0; i < 3; i += 1) expect((await attempt(gw.url, '0000', 'opaque-token')).__typename).toBe('Unauthenticated');
  });
});

describe('PIN guard and honest users', () => {
  it('lets at most PIN_MAX_FAILURES checks of one account run at once; the rest wait a second', async () => {
    await using gw = await startSandboxedGateway();
    const results = await Promise.all(Array.from({ length: 8 }, () => attempt(gw.url, DEMO.user.pin)));
    const otps = results.filter((r) => r.__typename === 'Otp');
    const busy = results.filter((r) => r.__typename === 'RateLimited');
    expect(otps.length).toBeGreaterThanOrEqual(5);
    expect(otps.length + busy.length).toBe(8);
    for (const refusal of busy) expect(refusal.retryAfterSeconds).toBe(1);
    // Nothing was counted as a failure: the account is free afterwards.
    expect((await attempt(gw.url, DEMO.user.pin)).__typename).toBe('Otp');
  });
});
