/**
 * Mapping rows the sandbox cannot produce, from a scripted upstream: odd statuses, odd bodies,
 * broken connections and silence. Every one is a typed answer or a coded top-level error.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createOtp, startScriptedGateway, type ScriptedRequest } from './helpers/servers.js';

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2ln';
const PIN = '4711';

/** createOtp with the same PIN and token, for every scripted answer. */
const requestOtp = (gateway: { readonly url: string }) => createOtp(gateway.url, { pin: PIN }, TOKEN);

const send = (status: number, body: string, headers: Record<string, string> = {}) => (_: ScriptedRequest, res: ServerResponse) => {
  res.writeHead(status, headers).end(body);
};
const jsonApi = (...errors: Record<string, unknown>[]) => JSON.stringify({ errors });
const API = { 'content-type': 'application/vnd.api+json', 'request-id': 'req-header-id' };

describe('typed answers', () => {
  it.each([
    ['401 JSON:API, other code', send(401, jsonApi({ id: 'e1', code: 'unauthorized' }), API), 'Unauthenticated', 'e1'],
    ['401 plain text', send(401, 'Unauthorized', { 'request-id': 'rid-1' }), 'Unauthenticated', 'rid-1'],
    ['401 empty body', send(401, ''), 'Unauthenticated', null],
    ['401 missing-linked-identity among others', send(401, jsonApi({ code: 'x' }, { id: 'e2', code: 'missing-linked-identity' }), API), 'MissingLinkedIdentity', 'e2'],
    ['403 plain text scope message', send(403, 'Forbidden - requires scope user:otp:create', { 'request-id': 'rid-2' }), 'Forbidden', 'rid-2'],
    ['404 JSON:API', send(404, jsonApi({ id: 'e3', status: '404', title: 'Resource not found' }), API), 'InvalidCredentials', 'e3'],
    ['404 empty body', send(404, '', { 'request-id': 'rid-3' }), 'InvalidCredentials', 'rid-3'],
  ])('%s -> %s', async (_case, answer, typename, errorId) => {
    await using gateway = await startScriptedGateway(answer);
    const { body } = await requestOtp(gateway);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['createOtp']).toMatchObject({ __typename: typename, errorId });
  });

  it('422 -> InvalidInput with each source.pointer as an input path', async () => {
    await using gateway = await startScriptedGateway(
      send(422, jsonApi(
        { id: 'e4', detail: 'PIN must have 4 digits', source: { pointer: '/pin' } },
        { title: 'Password too short', source: { pointer: '/password' } },
        { detail: 'Body is invalid' },
        { detail: `PIN ${PIN} is a series`, source: { pointer: '/pin' } },
      ), API),
    );
    const { body } = await requestOtp(gateway);
    expect(body.data?.['createOtp']).toEqual({
      __typename: 'InvalidInput',
      message: expect.any(String),
      errorId: 'e4',
      fields: [
        { path: ['input', 'pin'], message: 'PIN must have 4 digits' },
        { path: ['input', 'password'], message: 'Password too short' },
        { path: ['input'], message: 'Body is invalid' },
        // The upstream echoed the PIN: its words are replaced, the PIN never reaches the client.
        { path: ['input', 'pin'], message: 'This value was rejected by the PACE API.' },
      ],
    });
  });

  it.each([
    ['the PIN spaced out', { pin: '4711' }, 'PIN 4 7 1 1 is a series'],
    ['the PIN in full-width digits', { pin: '4711' }, 'PIN ４７１１ is a series'],
    ['the password in another case', { password: 'Correct-Horse' }, 'Password CORRECT-HORSE is too common'],
    ['the password with its spaces changed', { password: 'correct horse battery' }, 'Password "Correct  Horse\tBattery" is too common'],
    ['the password without its spaces', { password: 'correct horse battery' }, 'Password correcthorsebattery is too common'],
  ])('422 echoing %s: the message is replaced', async (_case, input, detail) => {
    await using gateway = await startScriptedGateway(send(422, jsonApi({ detail, source: { pointer: Object.keys(input)[0] === 'pin' ? '/pin' : '/password' } }), API));
    const { body } = await createOtp(gateway.url, input, TOKEN);
    expect(body.data?.['createOtp'].fields).toEqual([{ path: ['input', Object.keys(input)[0]], message: 'This value was rejected by the PACE API.' }]);
  });

  it.each([
    ['delta seconds', '120', 120],
    ['absent', undefined, null],
    ['garbage', 'soon', null],
  ])('429 with Retry-After %s -> RateLimited', async (_case, retryAfter, expected) => {
    await using gateway = await startScriptedGateway(send(429, '', retryAfter === undefined ? {} : { 'retry-after': retryAfter }));
    const { body } = await requestOtp(gateway);
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'RateLimited', retryAfterSeconds: expected });
  });

  it('429 with an HTTP-date Retry-After -> seconds until then', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    await using gateway = await startScriptedGateway(send(429, '', { 'retry-after': at }));
    const { body } = await requestOtp(gateway);
    expect(body.data?.['createOtp'].retryAfterSeconds).toBeGreaterThanOrEqual(88);
    expect(body.data?.['createOtp'].retryAfterSeconds).toBeLessThanOrEqual(91);
  });
});

const HTML = '<html><body><h1>502 Bad Gateway</h1><p>secret-internal-host-name</p></body></html>';

describe('coded top-level errors', () => {
  it.each([
    ['406', send(406, jsonApi({ id: 'e406' }), API), 'e406'],
    ['415', send(415, jsonApi({ id: 'e415' }), API), 'e415'],
    ['500 JSON:API', send(500, jsonApi({ id: 'e500', detail: 'database exploded' }), API), 'e500'],
    ['502 HTML', send(502, HTML, { 'content-type': 'text/html', 'request-id': 'rid-502' }), 'rid-502'],
    ['503 empty', send(503, ''), undefined],
    ['200 instead of 201', send(200, JSON.stringify({ otp: '123456', expiresAt: new Date().toISOString() })), undefined],
    ['418', send(418, "I'm a teapot"), undefined],
    ['201 HTML', send(201, HTML, { 'content-type': 'text/html' }), undefined],
    ['201 malformed JSON', send(201, '{"otp": "123456", "expiresAt": ', { 'content-type': 'application/json' }), undefined],
    ['201 without otp', send(201, JSON.stringify({ expiresAt: new Date().toISOString() })), undefined],
    ['201 with a numeric otp', send(201, JSON.stringify({ otp: 123456, expiresAt: new Date().toISOString() })), undefined],
    ['201 with a bad date', send(201, JSON.stringify({ otp: '123456', expiresAt: 'tomorrow' })), undefined],
    ['201 with an impossible date', send(201, JSON.stringify({ otp: '123456', expiresAt: '2024-13-45T99:00:00Z' })), undefined],
    ['201 with a date that does not exist (not rolled over to March 3rd)', send(201, JSON.stringify({ otp: '123456', expiresAt: '2030-02-31T10:00:00Z' })), undefined],
    ['201 with an hour that does not exist', send(201, JSON.stringify({ otp: '123456', expiresAt: '2030-02-28T24:00:00Z' })), undefined],
    ['201 empty', send(201, ''), undefined],
    ['201 JSON array', send(201, '[]'), undefined],
    ['201 JSON null', send(201, 'null'), undefined],
  ])('%s -> UPSTREAM_BAD_RESPONSE', async (_case, answer, errorId) => {
    await using gateway = await startScriptedGateway(answer);
    const { status, body } = await requestOtp(gateway);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors ?? [];
    expect(error?.path).toEqual(['createOtp']);
    expect(error?.extensions).toEqual(errorId === undefined ? { code: 'UPSTREAM_BAD_RESPONSE' } : { code: 'UPSTREAM_BAD_RESPONSE', errorId });
    expect(error?.message).toBe('The PACE API gave an unexpected answer. Try again later.');
  });

  it('a body over 64 KiB -> UPSTREAM_BAD_RESPONSE, with or without Content-Length', async () => {
    const big = JSON.stringify({ otp: '123456', expiresAt: new Date().toISOString(), pad: 'x'.repeat(70_000) });
    await using gateway = await startScriptedGateway((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write(big.slice(0, 10));
      res.end(big.slice(10)); // chunked: no Content-Length
    });
    expect((await requestOtp(gateway)).body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_BAD_RESPONSE');
    await using sized = await startScriptedGateway(send(201, big, { 'content-type': 'application/json' }));
    expect((await requestOtp(sized)).body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('connection refused -> UPSTREAM_UNAVAILABLE', async () => {
    await using gateway = await startScriptedGateway(send(201, ''));
    await gateway.upstream.close();
    const { body } = await requestOtp(gateway);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(body.errors?.[0]?.message).toBe('The PACE API is unreachable. Try again later.');
  });

  it('connection reset after the request -> UPSTREAM_UNAVAILABLE, and the POST is not retried', async () => {
    await using gateway = await startScriptedGateway((_req, res) => res.socket?.destroy());
    const { body } = await requestOtp(gateway);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('an upstream that never answers -> UPSTREAM_TIMEOUT within UPSTREAM_TIMEOUT_MS, not retried', async () => {
    await using gateway = await startScriptedGateway(() => undefined, { UPSTREAM_TIMEOUT_MS: '300' });
    const started = Date.now();
    const { body } = await requestOtp(gateway);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('a request queued behind UPSTREAM_CONNECTIONS still times out within UPSTREAM_TIMEOUT_MS', async () => {
    await using gateway = await startScriptedGateway(() => undefined, { UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_CONNECTIONS: '1' });
    const started = Date.now();
    const results = await Promise.all([requestOtp(gateway), requestOtp(gateway), requestOtp(gateway)]);
    for (const { body } of results) expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(gateway.upstream.requests.length).toBeLessThanOrEqual(3);
  });

  it('a body that trickles past the deadline -> UPSTREAM_TIMEOUT', async () => {
    await using gateway = await startScriptedGateway((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    }, { UPSTREAM_TIMEOUT_MS: '400' });
    const started = Date.now();
    const { body } = await requestOtp(gateway);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('never puts the upstream body in the error', async () => {
    await using gateway = await startScriptedGateway(send(502, HTML, { 'content-type': 'text/html' }));
    const { body } = await requestOtp(gateway);
    expect(JSON.stringify(body)).not.toContain('secret-internal-host-name');
  });
});
