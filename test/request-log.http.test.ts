/** The request log: one line per request, with what an operator needs and no secret. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, createOtp } from './helpers/servers.js';

const setup = useSandboxedGateway();
const auth = bearer(DEMO.user.token);

describe('request log', () => {
  it('logs one line per request with operation, result, upstream status and request id, and no secret', async () => {
    setup.gateway.logs.length = 0;
    await createOtp(setup.gateway.url, { pin: DEMO.user.pin }, DEMO.user.token, { 'x-request-id': 'log-line-1' });
    const lines = setup.gateway.logs.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"msg":"request"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 30,
      requestId: 'log-line-1',
      operationName: 'CreateOtp',
      result: 'Otp',
      status: 200,
      upstreamStatus: 201,
      upstreamMs: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(setup.gateway.logs.join('')).not.toContain(DEMO.user.token);
  });

  it('cannot be kept out of the log by a probe-like query string', async () => {
    setup.gateway.logs.length = 0;
    const response = await request(`${setup.gateway.url}/graphql?y=/metrics&x=/ready`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, 'x-request-id': 'sneaky-1' },
      body: JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: '0000' } } }),
    });
    await response.body.text();
    expect(response.headers['x-request-id']).toBe('sneaky-1');
    const lines = setup.gateway.logs.filter((line) => line.includes('"msg":"request"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ requestId: 'sneaky-1', result: 'InvalidCredentials' });
  });
});
