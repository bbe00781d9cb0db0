/** The credentials query: same token rules and mapping as createOtp, one upstream GET per request. */
import { describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREDENTIALS, graphql, startScriptedGateway } from './helpers/servers.js';

const setup = useSandboxedGateway();
const { received } = setup;

describe('credentials', () => {
  it.each([
    ['user', DEMO.user.token, { __typename: 'Credentials', pin: true, password: true }],
    ['passwordOnly', DEMO.passwordOnly.token, { __typename: 'Credentials', pin: false, password: true }],
    ['unlinked', DEMO.unlinked.token, { __typename: 'MissingLinkedIdentity' }],
    ['noScope', DEMO.noScope.token, { __typename: 'Forbidden' }],
    ['an unknown token', 'unknown.token.here', { __typename: 'Unauthenticated' }],
  ])('%s', async (_name, token, expected) => {
    const { body } = await graphql(setup.gateway.url, CREDENTIALS, { headers: bearer(token) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.['credentials']).toMatchObject(expected);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    expect(received[0]?.headers['content-type']).toBeUndefined();
  });

  it('answers Unauthenticated without a token, without calling upstream', async () => {
    const { body } = await graphql(setup.gateway.url, CREDENTIALS);
    expect(body.data?.['credentials'].__typename).toBe('Unauthenticated');
    expect(received).toHaveLength(0);
  });

  it('makes one upstream GET for any number of selections in one operation', async () => {
    const query = /* GraphQL */ `
      query Many {
        a: credentials { ... on Credentials { pin } }
        b: credentials { ... on Credentials { password } }
        credentials { ...Kinds }
      }
      fragment Kinds on CredentialsResult { ... on Credentials { pin password } }
    `;
    const { body } = await graphql(setup.gateway.url, query, { headers: bearer(DEMO.user.token) });
    expect(body.data).toEqual({ a: { pin: true }, b: { password: true }, credentials: { pin: true, password: true } });
    expect(received).toHaveLength(1);
  });

  it('gives every alias the same typed failure from one GET', async () => {
    const query = '{ a: credentials { __typename } b: credentials { __typename } }';
    const { body } = await graphql(setup.gateway.url, query, { headers: bearer(DEMO.unlinked.token) });
    expect(body.data).toEqual({ a: { __typename: 'MissingLinkedIdentity' }, b: { __typename: 'MissingLinkedIdentity' } });
    expect(received).toHaveLength(1);
  });

  it('caches nothing across requests', async () => {
    await graphql(setup.gateway.url, CREDENTIALS, { headers: bearer(DEMO.user.token) });
    await graphql(setup.gateway.url, CREDENTIALS, { headers: bearer(DEMO.user.token) });
    expect(received).toHaveLength(2);
  });
});

describe('credentials against a faulty upstream', () => {
  const credentials = (gatewayUrl: string) => graphql(gatewayUrl, CREDENTIALS, { headers: bearer('abc.def.ghi') });

  it('retries a GET once when the connection breaks, then answers', async () => {
    let calls = 0;
    await using scripted = await startScriptedGateway((_req, res) => {
      calls += 1;
      if (calls === 1) res.socket?.destroy();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"pin":true,"password":false}');
    });
    const { body } = await credentials(scripted.url);
    expect(body.data?.['credentials']).toEqual({ __typename: 'Credentials', pin: true, password: false });
    expect(scripted.upstream.requests).toHaveLength(2);
  });

  it('keeps one time budget across the retry, and does not retry once an answer has begun', async () => {
    let calls = 0;
    await using scripted = await startScriptedGateway((_req, res) => {
      calls += 1;
      if (calls === 1) setTimeout(() => res.socket?.destroy(), 250);
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"pin":');
        setTimeout(() => res.socket?.destroy(), 50); // an answer that breaks half-way
      }
    }, { UPSTREAM_TIMEOUT_MS: '400' });
    const started = Date.now();
    const { body } = await credentials(scripted.url);
    expect(body.errors?.[0]?.extensions?.['code']).toMatch(/^UPSTREAM_(UNAVAILABLE|TIMEOUT|BAD_RESPONSE)$/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(scripted.upstream.requests).toHaveLength(2); // retried once (nothing had come back), then not again
  });

  it('the retry gets only what is left of UPSTREAM_TIMEOUT_MS', async () => {
    let calls = 0;
    await using scripted = await startScriptedGateway((_req, res) => {
      calls += 1;
      if (calls === 1) setTimeout(() => res.socket?.destroy(), 300); // then the retry hangs
    }, { UPSTREAM_TIMEOUT_MS: '500' });
    const started = Date.now();
    const { body } = await credentials(scripted.url);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(750); // a fresh budget would take 800 ms
    expect(scripted.upstream.requests).toHaveLength(2);
  });

  it.each([
    ['a malformed 200', 200, '{"pin":"yes"}', 'UPSTREAM_BAD_RESPONSE'],
    ['a 404', 404, '', 'UPSTREAM_BAD_RESPONSE'],
    ['a 500', 500, 'boom', 'UPSTREAM_BAD_RESPONSE'],
  ])('%s is a coded top-level error', async (_case, status, text, code) => {
    await using scripted = await startScriptedGateway((_req, res) => res.writeHead(status).end(text));
    const { body } = await credentials(scripted.url);
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions?.['code']).toBe(code);
  });
});
