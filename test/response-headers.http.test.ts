/** Response headers on every answer (no-store, nosniff), and the request id and trace context kept end to end. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { createOtp, graphql } from './helpers/servers.js';

const setup = useSandboxedGateway();
const { received } = setup;

describe('response headers', () => {
  it('puts Cache-Control: no-store and nosniff on success, errors and GraphiQL', async () => {
    const ok = await createOtp(setup.gateway.url, { pin: DEMO.user.pin }, DEMO.user.token);
    const bad = await graphql(setup.gateway.url, '{ nope }');
    const page = await request(`${setup.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    await page.body.text();
    for (const headers of [ok.headers, bad.headers, page.headers]) {
      expect(headers['cache-control']).toBe('no-store');
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('keeps a well-formed x-request-id, sends it upstream and back; forwards traceparent', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { headers } = await createOtp(setup.gateway.url, { pin: DEMO.user.pin }, DEMO.user.token, { 'x-request-id': 'client-req-42', traceparent });
    expect(headers['x-request-id']).toBe('client-req-42');
    expect(received[0]?.headers['x-request-id']).toBe('client-req-42');
    expect(received[0]?.headers['traceparent']).toBe(traceparent);
  });

  it('makes a request id when none (or a malformed one) is given', async () => {
    const { headers } = await createOtp(setup.gateway.url, { pin: DEMO.user.pin }, DEMO.user.token, { 'x-request-id': 'bad id with spaces', traceparent: 'garbage' });
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[0]?.headers['x-request-id']).toBe(headers['x-request-id']);
    expect(received[0]?.headers['traceparent']).toBeUndefined();
  });
});
