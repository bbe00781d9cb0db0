/**
 * TRUSTED_DOCUMENTS with lists made by the real generators: GraphQL Code Generator's client-preset
 * (`persistedDocuments: true`, the documents of examples/operations.ts) and, from its output,
 * Apollo's persisted query manifest generator; then clients that send ids only, Apollo Client's
 * persisted-queries link among them. Refusals are coded and come before parsing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { fromGraphQLCodegenPersistedDocuments, generatePersistedQueryManifest, type PersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../codegen.js';
import { createApolloClient } from '../examples/apollo-client.js';
import { persistedQueriesLink } from '../examples/apollo-persisted-queries.js';
import { CreateOtpDocument, CredentialsDocument } from '../examples/operations.js';
import { DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { bearer, graphql, startGateway, type RunningGateway } from './helpers/servers.js';
import { request } from 'undici';

/** codegen.ts with persisted documents on: the client-preset also writes persisted-documents.json. */
function withPersistedDocuments(outDir: string): Types.Config {
  const [, output] = Object.entries(config.generates)[0] as [string, Types.ConfiguredOutput];
  const persisted = { ...output, presetConfig: { ...output.presetConfig, persistedDocuments: true } };
  return { ...config, silent: true, generates: { [`${outDir}/`]: persisted } };
}

const dir = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
const codegenList = join(dir, 'persisted-documents.json');
const apolloList = join(dir, 'persisted-query-manifest.json');
let codegenDocuments: Record<string, string>;
let apolloManifest: PersistedQueryManifest;
let sandbox: RunningSandbox;
let trustedOnly: RunningGateway;
let apolloOnly: RunningGateway;
let trustedAndArbitrary: RunningGateway;

beforeAll(async () => {
  await generate(withPersistedDocuments(dir), true);
  codegenDocuments = JSON.parse(readFileSync(codegenList, 'utf8')) as Record<string, string>;
  apolloManifest = await generatePersistedQueryManifest({ documents: fromGraphQLCodegenPersistedDocuments(codegenList) }, undefined);
  writeFileSync(apolloList, JSON.stringify(apolloManifest));
  sandbox = await startSandbox();
  trustedOnly = await startGateway(sandbox.url, { LOG_LEVEL: 'warn', TRUSTED_DOCUMENTS: codegenList });
  apolloOnly = await startGateway(sandbox.url, { LOG_LEVEL: 'warn', TRUSTED_DOCUMENTS: apolloList });
  trustedAndArbitrary = await startGateway(sandbox.url, { LOG_LEVEL: 'warn', TRUSTED_DOCUMENTS: codegenList, ALLOW_ARBITRARY_DOCUMENTS: 'true' });
}, 120_000);
afterAll(async () => {
  await Promise.all([trustedOnly?.close(), apolloOnly?.close(), trustedAndArbitrary?.close()]);
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The id codegen gave an operation (`sha256:<hash>`): what its generated document carries as `__meta__.hash`. */
const idOf = (name: string) => {
  const [id] = Object.entries(codegenDocuments).find(([, document]) => document.includes(` ${name}`)) ?? [];
  if (id === undefined) throw new Error(`no ${name} in ${JSON.stringify(codegenDocuments)}`);
  return id;
};

/** POST a GraphQL-over-HTTP body as it is. */
async function post(gateway: RunningGateway, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await request(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe('the lists the generators made', () => {
  it('codegen listed both operations; Apollo’s manifest has them by name, as the same documents', () => {
    expect(Object.values(codegenDocuments)).toHaveLength(2);
    expect(apolloManifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1 });
    expect(apolloManifest.operations.map((operation) => [operation.name, operation.type]).sort()).toEqual([['CreateOtp', 'mutation'], ['Credentials', 'query']]);
  });

  it('the generated documents carry their id (`__meta__.hash`)', () => {
    const generated = readFileSync(join(dir, 'graphql.ts'), 'utf8');
    expect(generated).toContain(`"__meta__":{"hash":"${idOf('CreateOtp')}"}`);
  });
});

describe('TRUSTED_DOCUMENTS=persisted-documents.json (codegen), arbitrary documents refused', () => {
  it('runs createOtp by `documentId`', async () => {
    const { status, body } = await post(trustedOnly, { documentId: idOf('CreateOtp'), variables: { input: { pin: DEMO.user.pin } } }, bearer(DEMO.user.token));
    expect(status).toBe(200);
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
  });

  it('takes `documentId` as the bare hash too, and in the URL of a GET', async () => {
    expect(idOf('Credentials')).toMatch(/^sha256:[0-9a-f]{64}$/);
    const bare = await post(trustedOnly, { documentId: idOf('Credentials').slice('sha256:'.length) }, bearer(DEMO.user.token));
    expect(bare.body.data).toEqual({ credentials: { __typename: 'Credentials', pin: true, password: true } });
    const response = await request(`${trustedOnly.url}/graphql?documentId=${encodeURIComponent(idOf('Credentials'))}`, {
      headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1', ...bearer(DEMO.passwordOnly.token) },
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ data: { credentials: { __typename: 'Credentials', pin: false, password: true } } });
  });

  it('runs a document named by `extensions.persistedQuery.sha256Hash`', async () => {
    const sha256Hash = idOf('Credentials').slice('sha256:'.length);
    const { body } = await post(trustedOnly, { extensions: { persistedQuery: { version: 1, sha256Hash } } }, bearer(DEMO.user.token));
    expect(body.data).toEqual({ credentials: { __typename: 'Credentials', pin: true, password: true } });
  });

  it('refuses a document that is sent, even unparsable: PERSISTED_QUERY_ONLY before parsing', async () => {
    for (const query of [codegenDocuments[idOf('Credentials')], '{{{ not GraphQL']) {
      const { status, body } = await post(trustedOnly, { query }, bearer(DEMO.user.token));
      expect(status).toBe(400);
      expect(body).toEqual({ errors: [{ message: expect.stringMatching(/^Only trusted documents/), extensions: { code: 'PERSISTED_QUERY_ONLY' } }] });
    }
  });

  it('refuses an unknown id (PERSISTED_QUERY_NOT_FOUND) and a request naming none (PERSISTED_QUERY_ID_REQUIRED)', async () => {
    const unknown = await post(trustedOnly, { documentId: 'sha256:0000' });
    expect(unknown.status).toBe(200);
    expect(unknown.body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);
    const none = await post(trustedOnly, { variables: {} });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([{ message: expect.stringMatching(/documentId/), extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } }]);
  });

  it('still applies the gateway’s own rules to a listed document (the PIN guard, typed errors)', async () => {
    const { body } = await post(trustedOnly, { documentId: idOf('CreateOtp'), variables: { input: {} } }, bearer(DEMO.user.token));
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'InvalidInput', message: expect.any(String) });
  });
});

describe('ALLOW_ARBITRARY_DOCUMENTS=true beside the list', () => {
  it('runs listed ids and sent documents alike', async () => {
    const byId = await post(trustedAndArbitrary, { documentId: idOf('Credentials') }, bearer(DEMO.user.token));
    expect(byId.body.data?.['credentials'].__typename).toBe('Credentials');
    const sent = await graphql(trustedAndArbitrary.url, '{ credentials { __typename } }', { headers: bearer(DEMO.user.token) });
    expect(sent.body).toEqual({ data: { credentials: { __typename: 'Credentials' } } });
  });
});

describe('Apollo Client’s persisted-queries link, TRUSTED_DOCUMENTS=persisted-query-manifest.json (Apollo)', () => {
  const loadManifest = async () => apolloManifest;

  it('createOtp and credentials go by manifest id alone and get full, typed answers', async () => {
    const client = createApolloClient(`${apolloOnly.url}/graphql`, () => DEMO.user.token, [persistedQueriesLink(loadManifest)]);
    const { data } = await client.mutate({ mutation: CreateOtpDocument, variables: { input: { pin: DEMO.user.pin } } });
    expect(data?.createOtp).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
    const wrong = await client.mutate({ mutation: CreateOtpDocument, variables: { input: { pin: '0000' } } });
    expect(wrong.data?.createOtp).toMatchObject({ __typename: 'InvalidCredentials', message: expect.any(String) });
    const { data: credentials } = await client.query({ query: CredentialsDocument });
    expect(credentials?.credentials).toEqual({ __typename: 'Credentials', pin: true, password: true });
  });

  it('the same client without the link is refused: the gateway runs listed documents only', async () => {
    const client = createApolloClient(`${apolloOnly.url}/graphql`, () => DEMO.user.token);
    const error: unknown = await client.query({ query: CredentialsDocument }).catch((caught: unknown) => caught);
    expect(JSON.stringify(error)).toContain('PERSISTED_QUERY_ONLY');
  });
});
