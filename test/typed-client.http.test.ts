/**
 * examples/typed-client.ts over real HTTP (gateway + sandbox on port 0), every union member, and
 * checked against schema.graphql, so the example rots neither at compile time nor at run time.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, isUnionType, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_OTP, createOtp, GatewayError, nextStep, type CreateOtpResult } from '../examples/typed-client.js';
import { DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { listen, startGateway, type RunningGateway } from './helpers/servers.js';

let sandbox: RunningSandbox;
let gateway: RunningGateway;
let endpoint: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  gateway = await startGateway(sandbox.url, { LOG_LEVEL: 'warn' });
  endpoint = `${gateway.url}/graphql`;
});
afterAll(async () => {
  await gateway?.close();
  await sandbox?.close();
});

describe('examples/typed-client.ts against the gateway', () => {
  it('Otp for the right PIN: use-otp with a 6-digit OTP and its expiry', async () => {
    const result = await createOtp(endpoint, DEMO.user.token, { pin: DEMO.user.pin });
    expect(result.__typename).toBe('Otp');
    const step = nextStep(result);
    if (step.kind !== 'use-otp') throw new Error(`expected use-otp, got ${step.kind}`);
    expect(step.otp).toMatch(/^\d{6}$/);
    expect(step.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('InvalidCredentials for a wrong password: ask-again', async () => {
    const result = await createOtp(endpoint, DEMO.passwordOnly.token, { password: 'not-the-password' });
    expect(result).toMatchObject({ __typename: 'InvalidCredentials', errorId: expect.any(String) });
    expect(nextStep(result)).toEqual({ kind: 'ask-again', message: expect.any(String) });
  });

  it('MissingLinkedIdentity: link-identity', async () => {
    const result = await createOtp(endpoint, DEMO.unlinked.token, { pin: DEMO.unlinked.pin });
    expect(result.__typename).toBe('MissingLinkedIdentity');
    expect(nextStep(result).kind).toBe('link-identity');
  });

  it('Unauthenticated for a token PACE does not know, and for none at all: log-in-again', async () => {
    const unknown = await createOtp(endpoint, 'not.a-known.token', { pin: '1234' });
    expect(unknown).toMatchObject({ __typename: 'Unauthenticated', errorId: expect.any(String) });
    const missing = await createOtp(endpoint, '', { pin: '1234' });
    expect(missing).toMatchObject({ __typename: 'Unauthenticated', errorId: null });
    expect(nextStep(missing).kind).toBe('log-in-again');
  });

  it('Forbidden for a token without the scope: configuration-problem', async () => {
    const result = await createOtp(endpoint, DEMO.noScope.token, { pin: '1234' });
    expect(result.__typename).toBe('Forbidden');
    expect(nextStep(result)).toMatchObject({ kind: 'configuration-problem', errorId: expect.any(String) });
  });

  it('InvalidInput without a credential: fix-fields with the field paths', async () => {
    const result = await createOtp(endpoint, DEMO.user.token, {});
    expect(nextStep(result)).toEqual({ kind: 'fix-fields', message: expect.any(String), fields: [{ path: ['input'], message: expect.any(String) }] });
  });

  it('RateLimited after too many wrong PINs: wait, with the seconds', async () => {
    const strict = await startGateway(sandbox.url, { LOG_LEVEL: 'warn', PIN_MAX_FAILURES: '1' });
    try {
      const strictEndpoint = `${strict.url}/graphql`;
      expect((await createOtp(strictEndpoint, DEMO.user.token, { pin: '0000' })).__typename).toBe('InvalidCredentials');
      const step = nextStep(await createOtp(strictEndpoint, DEMO.user.token, { pin: DEMO.user.pin }));
      expect(step).toMatchObject({ kind: 'wait', seconds: expect.any(Number) });
    } finally {
      await strict.close();
    }
  });

  it('no result when PACE is unreachable: a retryable GatewayError with the code', async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    const orphan = await startGateway(`${closed.url}/user/2024-1`, { LOG_LEVEL: 'silent' });
    try {
      const error = await createOtp(`${orphan.url}/graphql`, DEMO.user.token, { pin: DEMO.user.pin }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    } finally {
      await orphan.close();
    }
  });
});

describe('examples/typed-client.ts against schema.graphql', () => {
  const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

  it('its operation is valid', () => {
    expect(validate(schema, parse(CREATE_OTP))).toEqual([]);
  });

  it('its switch has a case for every member of CreateOtpResult', () => {
    const union = schema.getType('CreateOtpResult');
    if (!isUnionType(union)) throw new Error('CreateOtpResult is not a union');
    for (const member of union.getTypes()) {
      const sample = { __typename: member.name, otp: '000000', expiresAt: new Date().toISOString(), message: 'm', errorId: null, fields: [], retryAfterSeconds: null };
      expect(() => nextStep(sample as CreateOtpResult), member.name).not.toThrow();
    }
  });
});
