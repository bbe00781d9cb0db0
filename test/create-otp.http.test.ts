/** createOtp over real HTTP against the real sandbox upstream: every mapping row the sandbox can produce. */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, graphql } from './helpers/servers.js';

const setup = useSandboxedGateway();
const { received } = setup;

const createOtp = (input: Record<string, unknown>, headers: Record<string, string> = bearer(DEMO.user.token)) =>
  graphql(setup.gateway.url, CREATE_OTP, { variables: { input }, headers });

describe('createOtp against the sandbox', () => {
  it('returns an Otp for the right PIN', async () => {
    const { status, body } = await createOtp({ pin: DEMO.user.pin });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const result = body.data?.['createOtp'];
    expect(result.__typename).toBe('Otp');
    expect(result.otp).toMatch(/^\d{6}$/);
    const expiresIn = Date.parse(result.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);
  });

  it('returns an Otp for the right password', async () => {
    const { body } = await createOtp({ password: DEMO.user.password });
    expect(body.data?.['createOtp'].__typename).toBe('Otp');
  });

  it('forwards the token verbatim with JSON headers and only the given fields, nothing else', async () => {
    await createOtp({ pin: DEMO.user.pin, password: null }, { ...bearer(DEMO.user.token), cookie: 'session=abc', 'x-custom': 'no' });
    expect(received).toHaveLength(1);
    const [upstream] = received;
    expect(upstream?.method).toBe('POST');
    expect(upstream?.path).toBe(new URL(`${setup.sandbox.url}/user/otp`).pathname);
    expect(upstream?.headers['authorization']).toBe(`Bearer ${DEMO.user.token}`);
    expect(upstream?.headers['content-type']).toBe('application/json');
    expect(upstream?.headers['accept']).toBe('application/json');
    expect(upstream?.headers['cookie']).toBeUndefined();
    expect(upstream?.headers['x-custom']).toBeUndefined();
    expect(JSON.parse(upstream?.body ?? '')).toEqual({ pin: DEMO.user.pin });
    expect(upstream?.body).toBe(`{"pin":"${DEMO.user.pin}"}`);
  });

  it('sends both fields when both are given', async () => {
    await createOtp({ pin: DEMO.user.pin, password: DEMO.user.password });
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ pin: DEMO.user.pin, password: DEMO.user.password });
  });

  it('maps 404 (wrong PIN) to InvalidCredentials with the upstream error id', async () => {
    const { body } = await createOtp({ pin: '0000' });
    const result = body.data?.['createOtp'];
    expect(result.__typename).toBe('InvalidCredentials');
    expect(result.errorId).toMatch(/^[0-9a-v]{20}$/);
    expect(result.message).not.toContain('0000');
  });

  it('maps 401 missing-linked-identity to MissingLinkedIdentity', async () => {
    const { body } = await createOtp({ pin: DEMO.unlinked.pin }, bearer(DEMO.unlinked.token));
    expect(body.data?.['createOtp'].__typename).toBe('MissingLinkedIdentity');
    expect(body.data?.['createOtp'].errorId).toEqual(expect.any(String));
  });

  it('maps a plain-text 401 (unknown token) to Unauthenticated, errorId from Request-Id', async () => {
    const { body } = await createOtp({ pin: '1234' }, bearer('not.a-known.token'));
    expect(body.data?.['createOtp'].__typename).toBe('Unauthenticated');
    expect(received).toHaveLength(1);
    expect(body.data?.['createOtp'].errorId).toEqual(expect.any(String));
  });

  it('maps a plain-text 403 (missing scope) to Forbidden', async () => {
    const { body } = await createOtp({ pin: '1234' }, bearer(DEMO.noScope.token));
    expect(body.data?.['createOtp'].__typename).toBe('Forbidden');
  });
});

describe('createOtp refuses without calling upstream', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['"Bearer" without a token', { authorization: 'Bearer ' }],
    ['a token with a space in it', { authorization: 'Bearer abc def' }],
    ['a token with characters a header cannot hold', { authorization: 'Bearer abc\u00e9\u00ff' }],
  ])('Unauthenticated for %s', async (_case, headers: Record<string, string>) => {
    const { status, body } = await createOtp({ pin: '1234' }, headers);
    expect(status).toBe(200);
    expect(body.data?.['createOtp'].__typename).toBe('Unauthenticated');
    expect(body.data?.['createOtp'].errorId).toBeNull();
    expect(received).toHaveLength(0);
  });

  it.each([
    ['no field', {}],
    ['null fields', { pin: null, password: null }],
    ['empty strings', { pin: '', password: '' }],
  ])('InvalidInput at ["input"] for %s', async (_case, input) => {
    const { body } = await createOtp(input);
    expect(body.data?.['createOtp']).toMatchObject({
      __typename: 'InvalidInput',
      fields: [{ path: ['input'], message: expect.any(String) }],
    });
    expect(received).toHaveLength(0);
  });

  it('InvalidInput with the field path for an absurdly long value', async () => {
    const { body } = await createOtp({ pin: '1'.repeat(1025), password: DEMO.user.password });
    expect(body.data?.['createOtp']).toMatchObject({
      __typename: 'InvalidInput',
      fields: [{ path: ['input', 'pin'] }],
    });
    expect(received).toHaveLength(0);
  });

  it('accepts 1 KiB exactly and leaves the PIN format to the upstream', async () => {
    const { body } = await createOtp({ pin: '9'.repeat(1024) });
    expect(body.data?.['createOtp'].__typename).toBe('InvalidCredentials');
    expect(received).toHaveLength(1);
  });
});
