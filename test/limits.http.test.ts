/** Production defaults at the HTTP edge: one createOtp per operation, no batching, document limits, body size, the introspection and GraphiQL switches. */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { startSandboxedGateway, useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, createOtp, graphql } from './helpers/servers.js';

const setup = useSandboxedGateway();
const { received } = setup;

const auth = bearer(DEMO.user.token);
/** A createOtp request body, as JSON text. */
const createOtpBody = (pin: string) => JSON.stringify({ query: CREATE_OTP, variables: { input: { pin } } });

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
      body: createOtpBody('1'.repeat(20_000)),
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
    const big = await chunked(createOtpBody('1'.repeat(20_000)));
    expect(big.statusCode).toBe(413);
    expect(big.headers['transfer-encoding']).toBeUndefined();
    await big.body.text();
    const small = await chunked(createOtpBody(DEMO.user.pin));
    expect(small.statusCode).toBe(200);
    expect(((await small.body.json()) as { data: { createOtp: { __typename: string } } }).data.createOtp.__typename).toBe('Otp');
    expect(received).toHaveLength(1);
  });

  it('does not trust Content-Length on requests Node did not frame (embedded use through yoga.fetch)', async () => {
    const body = createOtpBody('1'.repeat(20_000));
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
    form.append('operations', createOtpBody(DEMO.user.pin));
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
    expect((await createOtp(setup.gateway.url, { pin: DEMO.user.pin }, DEMO.user.token)).body.data?.['createOtp'].__typename).toBe('Otp');
  });
});

describe('switches', () => {
  it('INTROSPECTION=false refuses introspection and hides field suggestions; GRAPHIQL=false serves no page', async () => {
    await using closed = await startSandboxedGateway({ env: { INTROSPECTION: 'false', GRAPHIQL: 'false' } });
    const introspection = await graphql(closed.url, '{ __schema { types { name } } }');
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await graphql(closed.url, '{ credentialz { __typename } }');
    expect(JSON.stringify(typo.body)).not.toContain('Did you mean');
    const page = await request(`${closed.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(String(page.headers['content-type'])).not.toContain('text/html');
    await page.body.text();
    // The operation itself still works.
    const { body } = await createOtp(closed.url, { pin: DEMO.user.pin }, DEMO.user.token);
    expect(body.data?.['createOtp'].__typename).toBe('Otp');
  });
});
