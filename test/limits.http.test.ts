/** Production defaults at the HTTP edge: document limits, batching, body size, CSRF, headers, ids, probes, metrics. */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, graphql, startGateway } from './helpers/servers.js';

const setup = useSandboxedGateway();
const { received } = setup;

const auth = bearer(DEMO.user.token);

describe('one createOtp per operation', () => {
  it.each([
    ['aliases', 'mutation { a: createOtp(input: {pin: "0000"}) { __typename } b: createOtp(input: {pin: "0001"}) { __typename } }'],
    ['a fragment spread', 'mutation { createOtp(input: {pin: "0000"}) { __typename } ...F } fragment F on Mutation { b: createOtp(input: {pin: "0001"}) { __typename } }'],
    ['inline fragments', 'mutation { ... on Mutation { a: createOtp(input: {pin: "0000"}) { __typename } } ... on Mutation { b: createOtp(input: {pin: "1"}) { __typename } } }'],
  ])('refuses two through %s, without calling upstream', async (_case, query) => {
    const { status, body } = await graphql(setup.gateway.url, query, { headers: auth });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ message: 'Only one createOtp is allowed per operation.', extensions: { code: 'TOO_MANY_CREDENTIAL_CHECKS' } });
    expect(received).toHaveLength(0);
  });

  it('refuses an HTTP array batch', async () => {
    const response = await request(`${setup.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify([{ query: CREATE_OTP, variables: { input: { pin: '0000' } } }, { query: CREATE_OTP, variables: { input: { pin: '0001' } } }]),
    });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(await response.body.json())).toContain('errors');
    expect(received).toHaveLength(0);
  });
});

describe('document limits', () => {
  it('refuses too many aliases', async () => {
    const query = `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: credentials { __typename }`).join(' ')} }`;
    const { body } = await graphql(setup.gateway.url, query, { headers: auth });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toBe('Syntax Error: Aliases limit of 10 exceeded, found 11.');
    expect(received).toHaveLength(0);
  });

  it('refuses too many tokens', async () => {
    const query = `{ credentials { ${'__typename '.repeat(400)} } }`;
    const { body } = await graphql(setup.gateway.url, query, { headers: auth });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(/^Syntax Error: Token limit of 400 exceeded/);
  });

  it('refuses too deep a document', async () => {
    const { body } = await graphql(setup.gateway.url, '{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }');
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toBe('Syntax Error: Query depth limit of 8 exceeded, found 11.');
  });

  it('refuses a body over MAX_REQUEST_BODY_BYTES with 413', async () => {
    const response = await request(`${setup.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: '1'.repeat(20_000) } } }),
    });
    expect(response.statusCode).toBe(413);
    await response.body.text();
    expect(received).toHaveLength(0);
  });

  it('refuses a chunked body (no Content-Length) over the limit with 413, accepts a small one', async () => {
    const chunked = (text: string) =>
      request(`${setup.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: Readable.from([text.slice(0, 10), text.slice(10)]), // a stream: sent chunked
      });
    const big = await chunked(JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: '1'.repeat(20_000) } } }));
    expect(big.statusCode).toBe(413);
    expect(big.headers['transfer-encoding']).toBeUndefined();
    await big.body.text();
    const small = await chunked(JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: DEMO.user.pin } } }));
    expect(small.statusCode).toBe(200);
    expect(((await small.body.json()) as { data: { createOtp: { __typename: string } } }).data.createOtp.__typename).toBe('Otp');
    expect(received).toHaveLength(1);
  });

  it('does not trust Content-Length on requests Node did not frame (embedded use through yoga.fetch)', async () => {
    const body = JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: '1'.repeat(20_000) } } });
    const response = await setup.gateway.gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100', ...auth },
      body,
    });
    expect(response.status).toBe(413);
    expect(received).toHaveLength(0);
  });

  it('refuses multipart (upload) requests', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: DEMO.user.pin } } }));
    form.append('map', '{}');
    const response = await fetch(`${setup.gateway.url}/graphql`, { method: 'POST', headers: auth, body: form });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await response.text();
    expect(received).toHaveLength(0);
  });

  it('answers malformed JSON with a 400 and a GraphQL error, and stays up', async () => {
    const response = await request(`${setup.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ errors: [{ message: expect.any(String) }] });
    expect((await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: auth })).body.data?.['createOtp'].__typename).toBe('Otp');
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET without a preflight header, accepts one with it', async () => {
    const url = `${setup.gateway.url}/graphql?query=${encodeURIComponent('{ credentials { __typename } }')}`;
    const refused = await request(url, { headers: auth });
    expect(refused.statusCode).toBe(403);
    await refused.body.text();
    const allowed = await request(url, { headers: { ...auth, 'x-graphql-yoga-csrf': '1', accept: 'application/json' } });
    expect(allowed.statusCode).toBe(200);
    expect(await allowed.body.json()).toEqual({ data: { credentials: { __typename: 'Credentials' } } });
  });
});

describe('response headers', () => {
  it('puts Cache-Control: no-store and nosniff on success, errors and GraphiQL', async () => {
    const ok = await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: auth });
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
    const { headers } = await graphql(setup.gateway.url, CREATE_OTP, {
      variables: { input: { pin: DEMO.user.pin } },
      headers: { ...auth, 'x-request-id': 'client-req-42', traceparent },
    });
    expect(headers['x-request-id']).toBe('client-req-42');
    expect(received[0]?.headers['x-request-id']).toBe('client-req-42');
    expect(received[0]?.headers['traceparent']).toBe(traceparent);
  });

  it('makes a request id when none (or a malformed one) is given', async () => {
    const { headers } = await graphql(setup.gateway.url, CREATE_OTP, {
      variables: { input: { pin: DEMO.user.pin } },
      headers: { ...auth, 'x-request-id': 'bad id with spaces', traceparent: 'garbage' },
    });
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[0]?.headers['x-request-id']).toBe(headers['x-request-id']);
    expect(received[0]?.headers['traceparent']).toBeUndefined();
  });
});

describe('probes and metrics', () => {
  it('GET /health and /ready answer 200', async () => {
    for (const path of ['/health', '/ready']) {
      const response = await request(`${setup.gateway.url}${path}`);
      expect(response.statusCode).toBe(200);
      await response.body.text();
    }
  });

  it('GET /ready answers 503 once the host is shutting down', async () => {
    let shuttingDown = false;
    const gw = createGateway({ ...loadConfig({ LOG_LEVEL: 'silent' }), paceApiUrl: new URL(setup.sandbox.url) }, { isShuttingDown: () => shuttingDown });
    expect((await gw.fetch('http://gateway/ready')).status).toBe(200);
    shuttingDown = true;
    expect((await gw.fetch('http://gateway/ready')).status).toBe(503);
    await gw.dispose();
  });

  it('GET /metrics counts requests by result and times upstream calls by status', async () => {
    await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: auth });
    await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: '0000' } }, headers: bearer(DEMO.unlinked.token) });
    const response = await request(`${setup.gateway.url}/metrics`);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = await response.body.text();
    expect(text).toMatch(/pace_otp_gateway_requests_total\{result="Otp",status="200"\} [1-9]/);
    expect(text).toMatch(/pace_otp_gateway_requests_total\{result="MissingLinkedIdentity",status="200"\} [1-9]/);
    expect(text).toMatch(/pace_otp_gateway_upstream_duration_seconds_count\{operation="createOtp",status="201"\} [1-9]/);
    expect(text).toMatch(/pace_otp_gateway_upstream_duration_seconds_count\{operation="createOtp",status="401"\} [1-9]/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('logs one line per request with operation, result, upstream status and request id, and no secret', async () => {
    setup.gateway.logs.length = 0;
    await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: { ...auth, 'x-request-id': 'log-line-1' } });
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

describe('CORS', () => {
  const preflight = (url: string) =>
    request(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('is off by default: no cross-origin grant', async () => {
    const response = await preflight(setup.gateway.url);
    await response.body.text();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('grants exactly the origins in CORS_ORIGINS', async () => {
    const open = await startGateway(setup.sandbox.url, { CORS_ORIGINS: 'https://app.example.com' });
    try {
      const allowed = await preflight(open.url);
      await allowed.body.text();
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      const other = await request(`${open.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      await other.body.text();
      expect(other.headers['access-control-allow-origin']).not.toBe('https://evil.example');
    } finally {
      await open.close();
    }
  });
});

describe('switches', () => {
  it('INTROSPECTION=false refuses introspection and hides field suggestions; GRAPHIQL=false serves no page', async () => {
    const closed = await startGateway(setup.sandbox.url, { INTROSPECTION: 'false', GRAPHIQL: 'false' });
    try {
      const introspection = await graphql(closed.url, '{ __schema { types { name } } }');
      expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
      const typo = await graphql(closed.url, '{ credentialz { __typename } }');
      expect(JSON.stringify(typo.body)).not.toContain('Did you mean');
      const page = await request(`${closed.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(String(page.headers['content-type'])).not.toContain('text/html');
      await page.body.text();
      // The operation itself still works.
      const { body } = await graphql(closed.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: auth });
      expect(body.data?.['createOtp'].__typename).toBe('Otp');
    } finally {
      await closed.close();
    }
  });
});
