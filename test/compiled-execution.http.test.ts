/**
 * Compiled execution (src/compiled-execution.ts): a document is compiled by graphql-jit only after
 * COMPILE_AFTER_EXECUTIONS executions, once, and then answers exactly what graphql-js answered.
 * Real HTTP, the real sandbox upstream.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { COMPILE_AFTER_EXECUTIONS, useCompiledExecution } from '../src/compiled-execution.js';
import { GatewayMetrics } from '../src/observability/metrics.js';
import { DEMO } from '../src/sandbox/index.js';
import { startSandboxedGateway } from './helpers/sandbox.js';
import { bearer, createOtp, CREDENTIALS, graphql, type GraphQLResponse } from './helpers/servers.js';

/** Compile attempts so far, by result. */
async function compiles(metrics: GatewayMetrics): Promise<{ compiled: number; notCompilable: number }> {
  const metric = await metrics.registry.getSingleMetric('pace_otp_gateway_documents_compiled_total')!.get();
  const count = (result: string) => metric.values.find((value) => value.labels['result'] === result)?.value ?? 0;
  return { compiled: count('compiled'), notCompilable: count('not_compilable') };
}

/** A response with the values that differ per call (the OTP, its expiry, PACE's error ids) reduced to their type. */
const shape = (response: GraphQLResponse) => ({
  status: response.status,
  body: JSON.parse(JSON.stringify(response.body, (key, value: unknown) => (['otp', 'expiresAt', 'errorId'].includes(key) ? typeof value : value))) as unknown,
});

// One document, every answer it can give here: the count is per document, whatever the variables.
const CASES: [string, string | undefined, Record<string, unknown>][] = [
  ['Otp', DEMO.user.token, { pin: DEMO.user.pin }],
  ['InvalidCredentials', DEMO.user.token, { pin: '0000' }],
  ['MissingLinkedIdentity', DEMO.unlinked.token, { pin: DEMO.unlinked.pin }],
  ['Forbidden', DEMO.noScope.token, { pin: DEMO.user.pin }],
  ['Unauthenticated', undefined, { pin: DEMO.user.pin }],
  ['no credentials', DEMO.user.token, {}],
  ['a PIN sent as a number (refused variables: 400)', DEMO.user.token, { pin: 12 }],
  ['an unknown input field (refused variables: 400)', DEMO.user.token, { pin: DEMO.user.pin, pim: '1' }],
];

describe('compiled execution', () => {
  it('compiles a document on its execution after COMPILE_AFTER_EXECUTIONS, once, and answers every case as graphql-js did', async () => {
    const metrics = new GatewayMetrics();
    await using setup = await startSandboxedGateway({ gateway: { metrics } });
    const before = [];
    for (const [, token, input] of CASES) before.push(shape(await createOtp(setup.url, input, token)));
    expect(before.map(({ body }) => (body as { data?: { createOtp?: { __typename?: string } } }).data?.createOtp?.__typename)).toEqual([
      'Otp', 'InvalidCredentials', 'MissingLinkedIdentity', 'Forbidden', 'Unauthenticated', expect.any(String), undefined, undefined,
    ]);
    expect(before.slice(-2).map(({ status }) => status)).toEqual([400, 400]);

    // Up to the boundary: still graphql-js.
    for (let executions = CASES.length; executions < COMPILE_AFTER_EXECUTIONS; executions++) {
      expect((await createOtp(setup.url, { pin: DEMO.user.pin }, DEMO.user.token)).body.data?.['createOtp'].__typename).toBe('Otp');
    }
    expect(await compiles(metrics)).toEqual({ compiled: 0, notCompilable: 0 });

    const after = [];
    for (const [, token, input] of CASES) after.push(shape(await createOtp(setup.url, input, token)));
    expect(await compiles(metrics)).toEqual({ compiled: 1, notCompilable: 0 });
    for (const [index, [name]] of CASES.entries()) expect(after[index], name).toEqual(before[index]);
  });

  it('a query (credentials, through its DataLoader) answers the same compiled', async () => {
    const metrics = new GatewayMetrics();
    await using setup = await startSandboxedGateway({ gateway: { metrics } });
    const ask = async (token: string) => shape(await graphql(setup.url, CREDENTIALS, { headers: bearer(token) }));
    const first = [await ask(DEMO.user.token), await ask(DEMO.passwordOnly.token), await ask(DEMO.noScope.token)];
    expect(first[0]!.body).toEqual({ data: { credentials: { __typename: 'Credentials', pin: true, password: true } } });
    for (let executions = 3; executions < COMPILE_AFTER_EXECUTIONS; executions++) await ask(DEMO.user.token);
    const compiled = [await ask(DEMO.user.token), await ask(DEMO.passwordOnly.token), await ask(DEMO.noScope.token)];
    expect(await compiles(metrics)).toEqual({ compiled: 1, notCompilable: 0 });
    expect(compiled).toEqual(first);
  });

  it('counts each document on its own: many documents at the threshold stay uncompiled, one more execution compiles each once', async () => {
    const metrics = new GatewayMetrics();
    await using setup = await startSandboxedGateway({ gateway: { metrics } });
    const documents = Array.from({ length: 20 }, (_, n) => CREDENTIALS.replace('query Credentials', `query Credentials${n}`));
    expect(new Set(documents).size).toBe(documents.length);
    const ask = async (query: string) => (await graphql(setup.url, query, { headers: bearer(DEMO.user.token) })).body.data?.['credentials'].__typename as unknown;
    for (let execution = 0; execution < COMPILE_AFTER_EXECUTIONS; execution++) {
      expect(await Promise.all(documents.map(ask))).toEqual(documents.map(() => 'Credentials'));
    }
    expect(await compiles(metrics)).toEqual({ compiled: 0, notCompilable: 0 });
    // In parallel, twice over: still one compile per document.
    expect(await Promise.all([...documents, ...documents].map(ask))).toEqual([...documents, ...documents].map(() => 'Credentials'));
    expect(await compiles(metrics)).toEqual({ compiled: documents.length, notCompilable: 0 });
  });

  it('distinct documents sent once each are never compiled, however many (a client cannot ask for compiles)', async () => {
    const metrics = new GatewayMetrics();
    await using setup = await startSandboxedGateway({ gateway: { metrics } });
    const documents = Array.from({ length: 10 * COMPILE_AFTER_EXECUTIONS }, (_, n) => CREDENTIALS.replace('query Credentials', `query Credentials${n}`));
    const answers = await Promise.all(documents.map((query) => graphql(setup.url, query, { headers: bearer(DEMO.user.token) })));
    expect(answers.every((answer) => answer.body.data?.['credentials'].__typename === 'Credentials')).toBe(true);
    expect(await compiles(metrics)).toEqual({ compiled: 0, notCompilable: 0 });
  });

  it('holds compiled code for at most maxCompiled documents: the oldest is pushed out and counts again', async () => {
    const results: boolean[] = [];
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { n(add: Int!): Int! }', resolvers: { Query: { n: (_root, { add }: { add: number }) => 40 + add } } }),
      plugins: [useCompiledExecution({ compileAfter: 2, maxCompiled: 2, onCompile: (compiled) => results.push(compiled) })],
    });
    const ask = async (document: number, add = 2) => {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query Q${document}($add: Int!) { n(add: $add) }`, variables: { add } }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    for (const document of [1, 2, 3]) for (let execution = 0; execution < 3; execution++) expect(await ask(document)).toEqual({ status: 200, body: { data: { n: 42 } } });
    expect(results).toEqual([true, true, true]); // the third pushed out the first
    for (let execution = 0; execution < 2; execution++) await ask(1); // counting again, not compiled
    expect(results).toHaveLength(3);
    expect(await ask(1, 3)).toEqual({ status: 200, body: { data: { n: 43 } } });
    expect(results).toHaveLength(4);
    // Compiled, with variables it refuses: graphql-js's answer.
    expect(await ask(1, 'x' as unknown as number)).toEqual({ status: 400, body: { errors: [expect.objectContaining({ message: expect.stringMatching(/^Variable "\$add" got invalid value "x"; Int cannot represent non-integer value: "x"/) })] } });
  });

  it('refuses a threshold or a cap that is not a positive integer, saying which', () => {
    for (const value of [0, -1, 1.5, Number.NaN]) {
      expect(() => useCompiledExecution({ compileAfter: value })).toThrow(`useCompiledExecution: compileAfter must be a positive integer, got ${String(value)}`);
      expect(() => useCompiledExecution({ maxCompiled: value })).toThrow(`useCompiledExecution: maxCompiled must be a positive integer, got ${String(value)}`);
    }
    expect(() => useCompiledExecution({ compileAfter: 1, maxCompiled: 1 })).not.toThrow();
  });
});
