/** Variables with many keys are refused before graphql-js coerces them (one error, nothing upstream). */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { MAX_VARIABLE_ENTRIES } from '../src/gateway.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, graphql } from './helpers/servers.js';

const setup = useSandboxedGateway();
const auth = bearer(DEMO.user.token);
/** 1,500 short keys: within the body limit, as the probe sent them. */
const MANY = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [i.toString(36), 0]));
const REFUSAL = {
  message: `Variables limit of ${MAX_VARIABLE_ENTRIES} entries (keys and list items, at any depth) exceeded.`,
  extensions: { code: 'VARIABLES_TOO_LARGE' },
};

describe('variables limit', () => {
  it.each([
    ['unknown keys in the input', { input: { pin: '0000', ...MANY } }],
    ['undeclared variables', { input: { pin: '0000' }, ...MANY }],
    ['a long list', { input: { pin: '0000' }, list: Array(1_500).fill(0) }],
    ['deep nesting', { input: { pin: '0000' }, deep: JSON.parse('{"a":'.repeat(200) + '0' + '}'.repeat(200)) as unknown }],
  ])('refuses %s with one clear error, before PACE is asked', async (_case, variables) => {
    const { status, body } = await graphql(setup.gateway.url, CREATE_OTP, { variables, headers: auth });
    expect(status).toBe(400);
    expect(body.errors).toEqual([REFUSAL]);
    expect(setup.received).toHaveLength(0);
  });

  it('lets the variables of a real createOtp through', async () => {
    const { body } = await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin, password: 'x' } }, headers: auth });
    expect(body.data?.['createOtp'].__typename).toBe('Otp');
  });
});
