/**
 * The client libraries people point at a GraphQL server, configured exactly as the README says
 * (examples/apollo-client.ts, examples/urql-client.ts, examples/graphql-request-client.ts, the
 * generated documents of examples/operations.ts), against the gateway and the sandbox on port 0.
 */
import { readFileSync } from 'node:fs';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { buildSchema, introspectionFromSchema, Kind, OperationTypeNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createApolloClient, signOut } from '../examples/apollo-client.js';
import { createGraphQLRequestClient } from '../examples/graphql-request-client.js';
import type { CreateOtpInput, CreateOtpMutation, CreateOtpMutationVariables } from '../examples/gql/graphql.js';
import { CreateOtpDocument, CredentialsDocument } from '../examples/operations.js';
import { createUrqlClient } from '../examples/urql-client.js';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { startGateway, type RunningGateway } from './helpers/servers.js';

const setup = useSandboxedGateway({ LOG_LEVEL: 'warn' });
const endpoint = () => `${setup.gateway.url}/graphql`;
const schema = introspectionFromSchema(buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')));

/** A token holder, as an app keeps one: the clients read it on every operation. */
function session(token?: string) {
  const state = { token };
  return { state, getToken: () => state.token };
}

/** How to obtain each `Error` member of CreateOtpResult from the sandbox (RateLimited: see below). */
const ERROR_CASES: readonly (readonly [string, string | undefined, CreateOtpInput])[] = [
  ['InvalidCredentials', DEMO.passwordOnly.token, { password: 'not-the-password' }],
  ['MissingLinkedIdentity', DEMO.unlinked.token, { pin: DEMO.unlinked.pin }],
  ['Unauthenticated', undefined, { pin: DEMO.user.pin }],
  ['Forbidden', DEMO.noScope.token, { pin: '1234' }],
  ['InvalidInput', DEMO.user.token, {}],
];

/**
 * The createOtp result as Apollo's cache holds it under ROOT_MUTATION (kept there by `keepRootFields`),
 * read back through the same selection (readQuery wants a query operation: the mutation's, read as one).
 */
function readMutationFromCache(client: ApolloClient, input: CreateOtpInput) {
  const [operation] = CreateOtpDocument.definitions;
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('CreateOtpDocument holds no operation');
  const asQuery: TypedDocumentNode<CreateOtpMutation, CreateOtpMutationVariables> = { ...CreateOtpDocument, definitions: [{ ...operation, operation: OperationTypeNode.QUERY }] };
  return client.readQuery({ query: asQuery, variables: { input }, id: 'ROOT_MUTATION' })?.createOtp;
}

describe('Apollo Client 4 with the shipped possibleTypes', () => {
  it.each(ERROR_CASES)('%s: `message` from mutate and from the cache', async (typename, token, input) => {
    const client = createApolloClient(endpoint(), session(token).getToken);
    const { data } = await client.mutate({ mutation: CreateOtpDocument, variables: { input }, keepRootFields: true });
    expect(data?.createOtp).toMatchObject({ __typename: typename, message: expect.stringMatching(/\w/) });
    expect(readMutationFromCache(client, input)).toEqual(data?.createOtp);
  });

  it('RateLimited: `message` and `retryAfterSeconds` from mutate and from the cache', async () => {
    const strict: RunningGateway = await startGateway(setup.sandbox.url, { LOG_LEVEL: 'warn', PIN_MAX_FAILURES: '1' });
    try {
      const client = createApolloClient(`${strict.url}/graphql`, session(DEMO.user.token).getToken);
      await client.mutate({ mutation: CreateOtpDocument, variables: { input: { pin: '0000' } } });
      const input = { pin: DEMO.user.pin };
      const { data } = await client.mutate({ mutation: CreateOtpDocument, variables: { input }, keepRootFields: true });
      expect(data?.createOtp).toMatchObject({ __typename: 'RateLimited', message: expect.stringMatching(/\w/), retryAfterSeconds: expect.any(Number) });
      expect(readMutationFromCache(client, input)).toEqual(data?.createOtp);
    } finally {
      await strict.close();
    }
  });

  it('Otp: typed, `expiresAt` an RFC 3339 string', async () => {
    const client = createApolloClient(endpoint(), session(DEMO.user.token).getToken);
    const { data } = await client.mutate({ mutation: CreateOtpDocument, variables: { input: { pin: DEMO.user.pin } } });
    if (data?.createOtp.__typename !== 'Otp') throw new Error(`expected Otp, got ${JSON.stringify(data)}`);
    expect(data.createOtp.otp).toMatch(/^\d{6}$/);
    expect(Date.parse(data.createOtp.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('without possibleTypes, the same answer loses `message`: why possible-types.json is shipped', async () => {
    const bare = new ApolloClient({ link: new HttpLink({ uri: endpoint() }), cache: new InMemoryCache() });
    const { data } = await bare.mutate({ mutation: CreateOtpDocument, variables: { input: { pin: DEMO.user.pin } } });
    expect(data?.createOtp.__typename).toBe('Unauthenticated');
    expect(data?.createOtp).not.toHaveProperty('message');
  });

  it.each([
    ['Unauthenticated', undefined],
    ['MissingLinkedIdentity', DEMO.unlinked.token],
    ['Forbidden', DEMO.noScope.token],
  ])('credentials %s: `message` from the query and from the cache', async (typename, token) => {
    const client = createApolloClient(endpoint(), session(token).getToken);
    const { data } = await client.query({ query: CredentialsDocument });
    expect(data?.credentials).toEqual({ __typename: typename, message: expect.stringMatching(/\w/) });
    expect(client.readQuery({ query: CredentialsDocument })?.credentials).toEqual(data?.credentials);
  });

  it('credentials: after a token change, the new user’s answer (never the cached one)', async () => {
    const { state, getToken } = session();
    const client = createApolloClient(endpoint(), getToken);
    expect((await client.query({ query: CredentialsDocument })).data?.credentials).toMatchObject({ __typename: 'Unauthenticated', message: expect.any(String) });
    state.token = DEMO.user.token; // logged in
    expect((await client.query({ query: CredentialsDocument })).data?.credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
    state.token = DEMO.passwordOnly.token; // another user
    expect((await client.query({ query: CredentialsDocument })).data?.credentials).toEqual({ __typename: 'Credentials', pin: false, password: true });
  });

  it('credentials with cache-first: stale for the next user unless the store is cleared (signOut)', async () => {
    const { state, getToken } = session(DEMO.user.token);
    const client = createApolloClient(endpoint(), getToken);
    const cacheFirst = { query: CredentialsDocument, fetchPolicy: 'cache-first' } as const;
    expect((await client.query(cacheFirst)).data?.credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
    state.token = DEMO.passwordOnly.token;
    // The hazard the README warns about: the previous user's answer, from the cache.
    expect((await client.query(cacheFirst)).data?.credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
    await signOut(client);
    expect((await client.query(cacheFirst)).data?.credentials).toEqual({ __typename: 'Credentials', pin: false, password: true });
  });
});

describe('urql (@urql/core + Graphcache with the schema)', () => {
  it('createOtp: Otp for the right PIN, `message` of InvalidCredentials through `... on Error`', async () => {
    const client = createUrqlClient(endpoint(), session(DEMO.user.token).getToken, schema);
    const ok = await client.mutation(CreateOtpDocument, { input: { pin: DEMO.user.pin } }).toPromise();
    expect(ok.error).toBeUndefined();
    expect(ok.data?.createOtp).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
    const wrong = await createUrqlClient(endpoint(), session(DEMO.passwordOnly.token).getToken, schema)
      .mutation(CreateOtpDocument, { input: { password: 'not-the-password' } })
      .toPromise();
    expect(wrong.data?.createOtp).toMatchObject({ __typename: 'InvalidCredentials', message: expect.stringMatching(/\w/), errorId: expect.any(String) });
  });

  it('credentials: sent as POST, `message` for Unauthenticated, the new user’s answer after a token change', async () => {
    const { state, getToken } = session();
    const client = createUrqlClient(endpoint(), getToken, schema);
    const anonymous = await client.query(CredentialsDocument, {}).toPromise();
    expect(anonymous.error).toBeUndefined();
    expect(anonymous.data?.credentials).toMatchObject({ __typename: 'Unauthenticated', message: expect.any(String) });
    state.token = DEMO.user.token;
    expect((await client.query(CredentialsDocument, {}).toPromise()).data?.credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
    state.token = DEMO.passwordOnly.token;
    expect((await client.query(CredentialsDocument, {}).toPromise()).data?.credentials).toEqual({ __typename: 'Credentials', pin: false, password: true });
    expect(setup.received.map((request) => request.method)).toEqual(['GET', 'GET']); // PACE's side: one read per login
  });

  it('Graphcache without the schema loses `message` of a union member: why the schema is given', async () => {
    const headers = { authorization: `Bearer ${DEMO.passwordOnly.token}` };
    const bare = new Client({ url: endpoint(), exchanges: [cacheExchange({}), fetchExchange], preferGetMethod: false, fetchOptions: { headers } });
    const { data } = await bare.mutation(CreateOtpDocument, { input: { password: 'not-the-password' } }).toPromise();
    expect(data?.createOtp.__typename).toBe('InvalidCredentials');
    expect(data?.createOtp).not.toHaveProperty('message');
  });

  it('urql’s default GET is refused by CSRF prevention (403); GET with the CSRF header works', async () => {
    const headers = { authorization: `Bearer ${DEMO.user.token}` };
    const byDefault = new Client({ url: endpoint(), exchanges: [fetchExchange], fetchOptions: { headers } });
    const refused = await byDefault.query(CredentialsDocument, {}).toPromise();
    expect(refused.error?.response?.status).toBe(403);
    const withHeader = new Client({ url: endpoint(), exchanges: [fetchExchange], fetchOptions: { headers: { ...headers, 'x-graphql-yoga-csrf': '1' } } });
    const answered = await withHeader.query(CredentialsDocument, {}).toPromise();
    expect(answered.error).toBeUndefined();
    expect(answered.data?.credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
  });
});

describe('graphql-request', () => {
  it('createOtp and credentials, typed by the generated documents', async () => {
    const client = createGraphQLRequestClient(endpoint(), session(DEMO.user.token).getToken);
    const { createOtp } = await client.request(CreateOtpDocument, { input: { pin: DEMO.user.pin } });
    expect(createOtp).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
    const { credentials } = await client.request(CredentialsDocument);
    expect(credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
    const { createOtp: invalid } = await client.request(CreateOtpDocument, { input: {} });
    expect(invalid).toMatchObject({ __typename: 'InvalidInput', message: expect.any(String), fields: [{ path: ['input'] }] });
  });
});
