/**
 * This gateway as a Federation v2 subgraph in a real supergraph: its SDL from `{ _service { sdl } }`,
 * composed with a second subgraph, served by Hive Gateway on port 0, against the real sandbox.
 * Client -> Hive Gateway -> this subgraph -> PACE (sandbox): the Authorization header travels the
 * whole way, and typed unions and coded errors reach the client unchanged.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { inconsistentDescriptions, startSupergraph, type Supergraph } from './helpers/federation.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, CREDENTIALS, graphql, startScriptedGateway, type GraphQLResponse, type ScriptedGateway } from './helpers/servers.js';

const setup = useSandboxedGateway();
const { received } = setup;
let federation: Supergraph;
beforeAll(async () => {
  federation = await startSupergraph(setup.gateway.url);
  return () => federation.close();
});

/** An operation through the federation gateway. */
const viaSupergraph = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  graphql(federation.gateway.url, query, { ...(variables && { variables }), headers });
/** The same operation straight to this subgraph, for comparison. */
const direct = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  graphql(setup.gateway.url, query, { ...(variables && { variables }), headers });

/** Per-request upstream ids differ between two calls; everything else must be identical. */
function withoutIds(body: GraphQLResponse['body']): unknown {
  return JSON.parse(JSON.stringify(body), (key, value: unknown) => (key === 'errorId' && typeof value === 'string' ? '<id>' : value));
}

describe('composition', () => {
  it('serves a Federation v2.6 subgraph SDL, the same as subgraph.graphql', async () => {
    const { body } = await direct('{ _service { sdl } }');
    const sdl: string = body.data?.['_service'].sdl;
    expect(sdl).toMatch(/^extend schema\s+@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.6"/);
    expect(`${sdl}\n`).toBe(readFileSync(new URL('../subgraph.graphql', import.meta.url), 'utf8'));
  });

  it('composes with another subgraph: no errors, both subgraphs in the supergraph', () => {
    const { supergraphSdl, publicSdl } = federation.composition;
    expect(supergraphSdl).toMatch(/join__graph\(name: "otp", url: "http:\/\/127\.0\.0\.1:\d+\/graphql"\)/);
    expect(supergraphSdl).toMatch(/join__graph\(name: "profile", url: "http:\/\/127\.0\.0\.1:\d+\/graphql"\)/);
    expect(publicSdl).toMatch(/createOtp\(\s*("""[^"]*"""\s*)?input: CreateOtpInput!\s*\): CreateOtpResult!/);
    expect(publicSdl).toContain('credentials: CredentialsResult!');
    expect(publicSdl).toContain('profile: Profile!');
    expect(publicSdl).not.toMatch(/_service|_Service|_entities|_Any/);
  });

  it('gives no inconsistent-description hint: the shared root types are not described here', () => {
    expect(inconsistentDescriptions(federation.subgraphs)).toEqual([]);
    // The check is live: a described root type, as this subgraph once had, is reported.
    const described = { name: 'described', url: 'http://127.0.0.1:1/graphql', typeDefs: parse('"Reads." type Query { x: Int }') };
    expect(inconsistentDescriptions([...federation.subgraphs, described])).toEqual(['Query: profile, described']);
  });
});

describe('through the federation gateway', () => {
  it('createOtp: the caller’s Authorization reaches PACE verbatim', async () => {
    const { status, body } = await viaSupergraph(CREATE_OTP, { input: { pin: DEMO.user.pin } }, bearer(DEMO.user.token));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
    expect(Date.parse(body.data?.['createOtp'].expiresAt)).toBeGreaterThan(Date.now());
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', headers: { authorization: `Bearer ${DEMO.user.token}` } });
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({ pin: DEMO.user.pin });
  });

  it('credentials: the caller’s Authorization reaches PACE verbatim', async () => {
    const { body } = await viaSupergraph(CREDENTIALS, undefined, bearer(DEMO.passwordOnly.token));
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ credentials: { __typename: 'Credentials', pin: false, password: true } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'GET', headers: { authorization: `Bearer ${DEMO.passwordOnly.token}` } });
  });

  it('one operation mixes credentials (this subgraph) and profile (the other one)', async () => {
    const query = '{ credentials { __typename ... on Credentials { pin password } } profile { displayName sawAuthorization } }';
    const { body } = await viaSupergraph(query, undefined, bearer(DEMO.user.token));
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      credentials: { __typename: 'Credentials', pin: true, password: true },
      profile: { displayName: 'Demo User', sawAuthorization: true },
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['authorization']).toBe(`Bearer ${DEMO.user.token}`);
  });

  it.each([
    ['MissingLinkedIdentity', CREATE_OTP, { input: { pin: DEMO.unlinked.pin } }, bearer(DEMO.unlinked.token)],
    ['InvalidCredentials', CREATE_OTP, { input: { pin: '0000' } }, bearer(DEMO.passwordOnly.token)],
    ['Unauthenticated', CREATE_OTP, { input: { pin: DEMO.user.pin } }, {}],
    ['InvalidInput', CREATE_OTP, { input: { pin: '', password: null } }, bearer(DEMO.user.token)],
    ['MissingLinkedIdentity', CREDENTIALS, undefined, bearer(DEMO.unlinked.token)],
    ['Unauthenticated', CREDENTIALS, undefined, {}],
  ])('typed %s arrives as this subgraph answers it', async (typename, query, variables, headers) => {
    const federated = await viaSupergraph(query, variables, headers);
    const expected = await direct(query, variables, headers);
    expect(federated.body.errors).toBeUndefined();
    expect(Object.values(federated.body.data ?? {})[0]).toMatchObject({ __typename: typename, message: expect.any(String) });
    expect(withoutIds(federated.body)).toEqual(withoutIds(expected.body));
  });

  it('sends nothing upstream without a token', async () => {
    const { body } = await viaSupergraph(CREDENTIALS);
    expect(body.data?.['credentials'].__typename).toBe('Unauthenticated');
    expect(received).toHaveLength(0);
  });
});

describe('through the federation gateway, against a failing PACE', () => {
  let failing: ScriptedGateway;
  let failingFederation: Supergraph;
  beforeAll(async () => {
    failing = await startScriptedGateway((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/plain', 'request-id': 'upstream-502' }).end('Bad Gateway');
    });
    return () => failing.close();
  });
  beforeAll(async () => {
    failingFederation = await startSupergraph(failing.url);
    return () => failingFederation.close();
  });

  it.each([
    ['createOtp', CREATE_OTP, { input: { pin: DEMO.user.pin } }],
    ['credentials', CREDENTIALS, undefined],
  ])('%s: a 502 is the coded UPSTREAM_BAD_RESPONSE error, unchanged', async (field, query, variables) => {
    const options = { ...(variables && { variables }), headers: bearer(DEMO.user.token) };
    const federated = await graphql(failingFederation.gateway.url, query, options);
    const expected = await graphql(failing.url, query, options);
    expect(federated.body.data ?? null).toBeNull();
    expect(federated.body.errors).toHaveLength(1);
    expect(federated.body.errors?.[0]).toMatchObject({
      message: 'The PACE API gave an unexpected answer. Try again later.',
      path: [field],
      extensions: { code: 'UPSTREAM_BAD_RESPONSE', errorId: 'upstream-502' },
    });
    // Hive Gateway adds which subgraph failed (and drops `locations`); nothing of ours is changed.
    expect(federated.body.errors?.[0]?.message).toBe(expected.body.errors?.[0]?.message);
    expect(federated.body.errors?.[0]?.extensions).toEqual({ ...expected.body.errors?.[0]?.extensions, serviceName: 'otp' });
    expect(failing.upstream.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${DEMO.user.token}`);
  });
});
