/**
 * The production surface over real HTTP: what NODE_ENV=production exposes by default, no echo of
 * submitted values in request errors, the field-selection cap, and the small edges (Origin: null,
 * HEAD probes, media-type case, long operation names).
 */
import { getIntrospectionQuery } from 'graphql';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FIELD_SELECTIONS, MAX_TOKENS } from '../src/gateway.js';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, graphql, startGateway, type RunningGateway } from './helpers/servers.js';

const setup = useSandboxedGateway();
const auth = bearer(DEMO.user.token);
const PRODUCTION = { NODE_ENV: 'production', PACE_API_URL: 'https://pace.invalid/user/2024-1' };

describe('NODE_ENV=production defaults', () => {
  let production: RunningGateway;
  let optedIn: RunningGateway;
  beforeAll(async () => {
    production = await startGateway(setup.sandbox.url, PRODUCTION);
    optedIn = await startGateway(setup.sandbox.url, { ...PRODUCTION, GRAPHIQL: 'true', INTROSPECTION: 'true' });
  });
  afterAll(async () => {
    await production?.close();
    await optedIn?.close();
  });

  const page = async (url: string) => {
    const response = await request(`${url}/graphql`, { headers: { accept: 'text/html' } });
    await response.body.text();
    return String(response.headers['content-type']);
  };

  it('serves no GraphiQL and refuses introspection, but answers _service { sdl } and createOtp', async () => {
    expect(await page(production.url)).not.toContain('text/html');
    const introspection = await graphql(production.url, '{ __schema { types { name } } }');
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const sdl = await graphql(production.url, '{ _service { sdl } }');
    expect(sdl.body.data?.['_service'].sdl).toContain('type Otp');
    const { body } = await graphql(production.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: auth });
    expect(body.data?.['createOtp'].__typename).toBe('Otp');
  });

  it('GRAPHIQL=true and INTROSPECTION=true turn them on', async () => {
    expect(await page(optedIn.url)).toContain('text/html');
    const introspection = await graphql(optedIn.url, '{ __schema { queryType { name } } }');
    expect(introspection.body.data?.['__schema']).toEqual({ queryType: { name: 'Query' } });
  });

  it('development keeps both on', async () => {
    expect(await page(setup.gateway.url)).toContain('text/html');
    expect((await graphql(setup.gateway.url, '{ __schema { queryType { name } } }')).body.data).toBeDefined();
  });

  it('METRICS_PORT takes /metrics off the API listener', async () => {
    const separate = await startGateway(setup.sandbox.url, { METRICS_PORT: '0' });
    try {
      const response = await request(`${separate.url}/metrics`);
      const text = await response.body.text();
      expect(response.statusCode).toBe(404);
      expect(text).not.toContain('pace_otp_gateway');
    } finally {
      await separate.close();
    }
  });
});

describe('no echo of submitted values', () => {
  const PIN = 'PIN-MARK-7731';
  const PASSWORD = 'PW-MARK-9902';
  const production = { current: undefined as RunningGateway | undefined };
  beforeAll(async () => {
    production.current = await startGateway(setup.sandbox.url, PRODUCTION);
  });
  afterAll(() => production.current?.close());

  const post = async (url: string, body: string) => {
    const response = await request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...auth },
      body,
    });
    return { status: response.statusCode, text: await response.body.text() };
  };
  const withVariables = (input: unknown) => JSON.stringify({ query: CREATE_OTP, variables: { input } });

  const cases: [string, string, RegExp][] = [
    ['invalid JSON', `{"query": "mutation { x }", "variables": {"input": {"pin": "${PIN}", "password": "${PASSWORD}"}`, /POST body sent invalid JSON/],
    ['a variable of the wrong type', withVariables({ pin: 12, password: PASSWORD }), /Variable "\$input" got invalid value at "input\.pin"; String cannot represent a non string value\./],
    ['a scalar that is not a string', withVariables({ pin: { secret: PIN }, password: PASSWORD }), /Variable "\$input" got invalid value at "input\.pin"/],
    ['an unknown input field', withVariables({ pin: PIN, pim: PASSWORD }), /Variable "\$input" got invalid value; Field "pim" is not defined by type "CreateOtpInput"/],
    ['an input that is not an object', withVariables(`${PIN} ${PASSWORD}`), /Expected type "CreateOtpInput" to be an object/],
    ['a literal of the wrong type', JSON.stringify({ query: `mutation { createOtp(input: {pin: 7731, password: "${PASSWORD}"}) { __typename } }` }), /String cannot represent a non string value\./],
    ['a syntax error after a value', JSON.stringify({ query: `mutation { createOtp(input: {pin: "${PIN}" "${PASSWORD}"}) { __typename } }` }), /^.*Syntax Error: Expected Name, found String\./],
  ];

  it.each(cases)('%s: a 400 whose error names the problem, without the PIN or password', async (_case, body, message) => {
    for (const gateway of [setup.gateway, production.current!]) {
      const { status, text } = await post(gateway.url, body);
      expect(status).toBe(400);
      expect(JSON.parse(text).errors[0].message).toMatch(message);
      for (const secret of [PIN, PASSWORD, '7731', 'originalError']) expect(text).not.toContain(secret);
    }
  });

  it('invalid JSON stays a 400 for Accept: application/json too', async () => {
    const response = await request(`${setup.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: `{"pin": "${PIN}"` });
    const text = await response.body.text();
    expect(response.statusCode).toBe(400);
    expect(text).not.toContain(PIN);
  });
});

describe('field selections per document', () => {
  const unique = (n: number, body: string) => `query Wide${n}_${Date.now()} { ${body} }`;

  it.each([
    ['repeated __typename', (n: number) => unique(n, '__typename '.repeat(300)), `Field selections limit of ${MAX_FIELD_SELECTIONS} exceeded, found 300.`],
    ['repeated _service { sdl }', (n: number) => unique(n, '_service { sdl } '.repeat(90)), `Field selections limit of ${MAX_FIELD_SELECTIONS} exceeded, found 180.`],
    ['fields in a fragment defined first', (n: number) => `fragment F on Query { ${'__typename '.repeat(300)} } ${unique(n, '...F')}`, `Field selections limit of ${MAX_FIELD_SELECTIONS} exceeded, found 300.`],
    ['aliased __typename', (n: number) => unique(n, Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')), 'Aliases limit of 10 exceeded, found 40.'],
    ['~1,000 tokens', (n: number) => unique(n, '__typename '.repeat(990)), `Token limit of ${MAX_TOKENS} exceeded.`],
  ])('refuses %s before validation, with a clear message', async (_case, document, message) => {
    const { status, body } = await graphql(setup.gateway.url, document(1));
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toBe(`Syntax Error: ${message}`);
  });

  it("accepts GraphiQL's full introspection query and createOtp with every member", async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const introspection = await graphql(setup.gateway.url, query);
    expect(introspection.body.errors).toBeUndefined();
    expect(introspection.body.data?.['__schema'].types.length).toBeGreaterThan(10);
    const { body } = await graphql(setup.gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: auth });
    expect(body.data?.['createOtp'].__typename).toBe('Otp');
  });
});

describe('small edges', () => {
  const preflight = (url: string, origin: string) =>
    request(`${url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

  it('grants Origin: null only when listed, never through * or a list of others', async () => {
    for (const [origins, nullAllowed] of [
      ['https://a.example, https://b.example', false],
      ['*', false],
      ['https://a.example, null', true],
    ] as const) {
      const gateway = await startGateway(setup.sandbox.url, { CORS_ORIGINS: origins });
      try {
        const fromNull = await preflight(gateway.url, 'null');
        await fromNull.body.text();
        expect(fromNull.headers['access-control-allow-origin'], origins).toBe(nullAllowed ? 'null' : undefined);
        const listed = await preflight(gateway.url, 'https://a.example');
        await listed.body.text();
        expect(listed.headers['access-control-allow-origin'], origins).toBe('https://a.example');
        const other = await preflight(gateway.url, 'https://evil.example');
        await other.body.text();
        expect(other.headers['access-control-allow-origin'], origins).toBe(origins === '*' ? 'https://evil.example' : undefined);
      } finally {
        await gateway.close();
      }
    }
  });

  it('answers HEAD on /health, /ready and /metrics like GET, without a body', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      const response = await request(`${setup.gateway.url}${path}`, { method: 'HEAD' });
      expect(response.statusCode, path).toBe(200);
      expect(await response.body.text()).toBe('');
    }
  });

  it('compares media types case-insensitively', async () => {
    const response = await request(`${setup.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'APPLICATION/JSON; Charset=UTF-8', accept: 'Application/GraphQL-Response+JSON', ...auth },
      body: JSON.stringify({ query: CREATE_OTP, variables: { input: { pin: DEMO.user.pin } } }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/graphql-response\+json/);
    expect(((await response.body.json()) as { data: { createOtp: { __typename: string } } }).data.createOtp.__typename).toBe('Otp');
  });

  it('cuts a long operation name to ~100 characters in the log line', async () => {
    setup.gateway.logs.length = 0;
    const name = `Op${'x'.repeat(7_000)}`;
    await graphql(setup.gateway.url, `query ${name} { credentials { __typename } }`, { headers: { ...auth, 'x-request-id': 'long-name-1' } });
    const line = setup.gateway.logs.find((chunk) => chunk.includes('long-name-1')) ?? '';
    const logged = JSON.parse(line) as { operationName: string };
    expect(logged.operationName.length).toBeLessThanOrEqual(101);
    expect(logged.operationName.startsWith('Opxxx')).toBe(true);
    expect(line.length).toBeLessThan(1_000);
  });
});
