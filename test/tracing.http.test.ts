/**
 * Traces over real HTTP: the gateway exports to an OTLP/HTTP receiver (http/json here; protobuf in
 * tracing.e2e.test.ts) configured only by OTEL_* variables, in front of the real sandbox and of
 * scripted upstreams for the faults.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTracing } from '../src/observability/start-tracing.js';
import type { Tracing } from '../src/observability/tracing.js';
import { DEMO, startSandbox, type RecordedRequest, type RunningSandbox } from '../src/sandbox/index.js';
import { SpanKind, StatusCode, startOtlpReceiver, visibleText, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp.js';
import { bearer, CREATE_OTP, CREDENTIALS, graphql, scriptedUpstream, startGateway, type Listening, type RunningGateway } from './helpers/servers.js';
import { SECRET_OTP, SECRET_PASSWORD, SECRET_PIN, SECRET_TOKEN, SECRET_TOKEN_PARTS } from './helpers/markers.js';


let receiver: OtlpReceiver;
let tracing: Tracing;
let sandbox: RunningSandbox;
let scripted: Listening & { requests: { headers: Record<string, string | string[] | undefined> }[] };
let gateway: RunningGateway;
let faulty: RunningGateway;
const received: RecordedRequest[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'otp-subgraph-under-test',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    OTEL_BSP_SCHEDULE_DELAY: '50',
  });
  tracing = (await startTracing(loadConfig().tracing))!;
  sandbox = await startSandbox({ onRequest: (request) => received.push(request) });
  // Faults the sandbox cannot produce, chosen by the token: 503, no answer, a malformed 201.
  scripted = await scriptedUpstream((request, res) => {
    const authorization = String(request.headers.authorization);
    if (authorization.includes('503')) res.writeHead(503, { 'content-type': 'text/plain' }).end(`down ${request.body}`);
    else if (authorization.includes('slow')) setTimeout(() => res.writeHead(201).end(), 2_000).unref();
    else res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ otp: SECRET_OTP, expiresAt: 'not-a-date' }));
  });
  gateway = await startGateway(sandbox.url, {}, { tracing });
  faulty = await startGateway(`${scripted.url}/user/2024-1`, { UPSTREAM_TIMEOUT_MS: '300' }, { tracing });
});

afterAll(async () => {
  await gateway?.close();
  await faulty?.close();
  await tracing?.shutdown(5_000);
  await sandbox?.close();
  await scripted?.close();
  await receiver?.close();
});

/** A caller's W3C trace context, as a router would send it. */
function callerContext() {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, headers: { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'router=r1' } };
}

/** The spans of one trace, once the gateway has exported them. */
async function traceSpans(traceId: string, atLeast: number): Promise<ReceivedSpan[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await tracing.flush();
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    if (spans.length >= atLeast) return spans;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return receiver.spans.filter((span) => span.traceId === traceId);
}

function one(spans: ReceivedSpan[], kind: number): ReceivedSpan {
  const found = spans.filter((span) => span.kind === kind);
  expect(found, `one span of kind ${kind} in ${spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

describe('a createOtp request', () => {
  it("continues the caller's trace: SERVER -> operation -> CLIENT, and PACE gets the CLIENT span's context", async () => {
    received.length = 0;
    const caller = callerContext();
    const { body } = await graphql(gateway.url, CREATE_OTP, {
      variables: { input: { pin: DEMO.user.pin } },
      headers: { ...bearer(DEMO.user.token), ...caller.headers },
    });
    expect(body.data?.['createOtp']?.__typename).toBe('Otp');

    const spans = await traceSpans(caller.traceId, 3);
    expect(spans).toHaveLength(3);
    const server = one(spans, SpanKind.SERVER);
    const operation = one(spans, SpanKind.INTERNAL);
    const client = one(spans, SpanKind.CLIENT);

    expect(server).toMatchObject({ name: 'POST /graphql', parentSpanId: caller.parentId, traceState: 'router=r1' });
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'url.path': '/graphql', 'http.response.status_code': 200, 'pace_otp_gateway.result': 'Otp' });
    expect(operation).toMatchObject({ name: 'mutation CreateOtp', parentSpanId: server.spanId });
    expect(operation.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'CreateOtp', 'pace_otp_gateway.result': 'Otp' });
    expect(client).toMatchObject({ name: 'POST /user/2024-1/user/otp', parentSpanId: operation.spanId });
    const upstream = new URL(sandbox.url);
    expect(client.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': `${upstream.origin}/user/2024-1/user/otp`,
      'server.address': upstream.hostname,
      'server.port': Number(upstream.port),
      'http.response.status_code': 201,
    });
    for (const span of spans) expect(span.status.code, span.name).toBe(StatusCode.UNSET);

    // What PACE received: this trace, with the CLIENT span as the parent of its own spans.
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['traceparent']).toBe(`00-${caller.traceId}-${client.spanId}-01`);
    expect(received[0]!.headers['tracestate']).toBe('router=r1');

    expect(server.resource).toMatchObject({ 'service.name': 'otp-subgraph-under-test', 'deployment.environment.name': 'test', 'telemetry.sdk.language': 'nodejs' });
  });

  it('starts a new trace when the caller sends none (or a malformed one)', async () => {
    received.length = 0;
    const { body } = await graphql(gateway.url, CREATE_OTP, {
      variables: { input: { pin: DEMO.user.pin } },
      headers: { ...bearer(DEMO.user.token), traceparent: '00-zz-not-a-trace-01' },
    });
    expect(body.data?.['createOtp']?.__typename).toBe('Otp');
    const sent = String(received[0]?.headers['traceparent']);
    const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(sent) ?? [];
    expect(traceId).toBeDefined();
    const spans = await traceSpans(traceId!, 3);
    expect(one(spans, SpanKind.SERVER).parentSpanId).toBe('');
    expect(one(spans, SpanKind.CLIENT).spanId).toBe(parentId);
  });

  it('records expected results as results, not errors', async () => {
    const cases = [
      { input: { pin: '0000' }, token: DEMO.user.token, result: 'InvalidCredentials', upstreamStatus: 404 },
      { input: { pin: DEMO.user.pin }, token: DEMO.unlinked.token, result: 'MissingLinkedIdentity', upstreamStatus: 401 },
      { input: { pin: DEMO.user.pin }, token: DEMO.noScope.token, result: 'Forbidden', upstreamStatus: 403 },
      { input: {}, token: DEMO.user.token, result: 'InvalidInput', upstreamStatus: undefined },
    ];
    for (const { input, token, result, upstreamStatus } of cases) {
      const caller = callerContext();
      const { body } = await graphql(gateway.url, CREATE_OTP, { variables: { input }, headers: { ...bearer(token), ...caller.headers } });
      expect(body.data?.['createOtp']?.__typename).toBe(result);
      const spans = await traceSpans(caller.traceId, upstreamStatus === undefined ? 2 : 3);
      expect(one(spans, SpanKind.INTERNAL).attributes['pace_otp_gateway.result']).toBe(result);
      if (upstreamStatus === undefined) expect(spans.filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(0);
      else expect(one(spans, SpanKind.CLIENT).attributes['http.response.status_code']).toBe(upstreamStatus);
      for (const span of spans) expect(span.status.code, `${result}: ${span.name}`).toBe(StatusCode.UNSET);
    }
  });

  it('marks timeouts, 5xx and bad answers as errors, with their code only', async () => {
    const cases = [
      { token: 'upstream-503', code: 'UPSTREAM_BAD_RESPONSE', client: { status: 503, errorType: '503' } },
      { token: 'upstream-slow', code: 'UPSTREAM_TIMEOUT', client: { status: undefined, errorType: 'UPSTREAM_TIMEOUT' } },
      // A well-formed HTTP 201 the mapping cannot use: the call itself succeeded, the operation did not.
      { token: 'upstream-malformed', code: 'UPSTREAM_BAD_RESPONSE', client: { status: 201, errorType: undefined } },
    ];
    for (const { token, code, client } of cases) {
      const caller = callerContext();
      const { body } = await graphql(faulty.url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: { ...bearer(token), ...caller.headers } });
      expect(body.errors?.[0]?.extensions?.['code']).toBe(code);
      const spans = await traceSpans(caller.traceId, 3);
      const operation = one(spans, SpanKind.INTERNAL);
      expect(operation.status).toEqual({ code: StatusCode.ERROR, message: code });
      expect(operation.attributes).toMatchObject({ 'error.type': code, 'pace_otp_gateway.result': code });
      const call = one(spans, SpanKind.CLIENT);
      expect(call.attributes['http.response.status_code']).toBe(client.status);
      expect(call.attributes['error.type']).toBe(client.errorType);
      expect(call.status.code).toBe(client.errorType === undefined ? StatusCode.UNSET : StatusCode.ERROR);
      // HTTP 200 with a GraphQL error: the SERVER span is not an error, its operation is.
      expect(one(spans, SpanKind.SERVER).status.code).toBe(StatusCode.UNSET);
    }
  });
});

it('names the credentials query and its GET call', async () => {
  const caller = callerContext();
  await graphql(gateway.url, CREDENTIALS, { headers: { ...bearer(DEMO.user.token), ...caller.headers } });
  const spans = await traceSpans(caller.traceId, 3);
  expect(one(spans, SpanKind.INTERNAL)).toMatchObject({ name: 'query Credentials', attributes: { 'pace_otp_gateway.result': 'Credentials' } });
  expect(one(spans, SpanKind.CLIENT)).toMatchObject({ name: 'GET /user/2024-1/user/pin-or-password', attributes: { 'http.request.method': 'GET' } });
});

it('traces only the gateways it was handed to: one built without it makes no span at all, and passes the caller\'s context on to PACE', async () => {
  await using untraced = await startGateway(sandbox.url);
  const caller = callerContext();
  const before = received.length;
  const { body } = await graphql(untraced.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: { ...bearer(DEMO.user.token), ...caller.headers } });
  expect(body.data?.['createOtp']?.__typename).toBe('Otp');
  expect(await traceSpans(caller.traceId, 1)).toEqual([]);
  expect(received.slice(before).map((request) => request.headers['traceparent'])).toEqual([caller.headers.traceparent]);
});

it('makes no spans for probes and metrics', async () => {
  const caller = callerContext();
  for (const path of ['/ready', '/metrics']) await fetch(`${gateway.url}${path}`, { headers: caller.headers });
  expect(await traceSpans(caller.traceId, 1)).toEqual([]);
});

it('keeps every secret out of the exported spans, on every path', async () => {
  const traceIds: string[] = [];
  const otps: string[] = [];
  const run = async (target: RunningGateway, query: string, input: unknown, headers: Record<string, string>) => {
    const caller = callerContext();
    traceIds.push(caller.traceId);
    const { body } = await graphql(target.url, query, { variables: { input }, headers: { ...headers, ...caller.headers } });
    const otp = body.data?.['createOtp']?.otp;
    if (typeof otp === 'string') otps.push(otp);
  };
  await run(gateway, CREATE_OTP, { pin: DEMO.user.pin }, bearer(DEMO.user.token)); // Otp
  await run(gateway, CREATE_OTP, { password: DEMO.user.password }, bearer(DEMO.user.token)); // Otp
  await run(gateway, CREATE_OTP, { pin: SECRET_PIN, password: SECRET_PASSWORD }, bearer(DEMO.user.token)); // InvalidCredentials
  await run(gateway, CREATE_OTP, { pin: SECRET_PIN }, bearer(SECRET_TOKEN)); // Unauthenticated (PACE)
  await run(gateway, CREATE_OTP, { pin: SECRET_PIN }, { authorization: `Bearer ${SECRET_TOKEN} x` }); // Unauthenticated (gateway)
  await run(gateway, CREATE_OTP, { pin: SECRET_PIN.repeat(100) }, bearer(SECRET_TOKEN)); // InvalidInput
  await run(gateway, CREDENTIALS, undefined, bearer(SECRET_TOKEN)); // credentials query
  await run(faulty, CREATE_OTP, { pin: SECRET_PIN }, bearer(`${SECRET_TOKEN}-503`)); // UPSTREAM_BAD_RESPONSE (PACE echoes the body)
  await run(faulty, CREATE_OTP, { pin: SECRET_PIN }, bearer(SECRET_TOKEN)); // a malformed 201 holding an OTP
  await run(faulty, CREATE_OTP, { pin: SECRET_PIN }, bearer(`${SECRET_TOKEN}-slow`)); // UPSTREAM_TIMEOUT
  // Inline literals, a syntax error, a variables error: Yoga's own paths.
  await run(gateway, `mutation Inline { createOtp(input: {pin: "${SECRET_PIN}"}) { __typename } }`, undefined, bearer(SECRET_TOKEN));
  await run(gateway, `mutation { createOtp(input: {pin: "${SECRET_PIN}"}) { __typename `, undefined, bearer(SECRET_TOKEN));
  await run(gateway, CREATE_OTP, { pin: 12, password: SECRET_PASSWORD }, bearer(SECRET_TOKEN));
  expect(otps).toHaveLength(2);

  const spans = (await Promise.all(traceIds.map((id) => traceSpans(id, 2)))).flat();
  expect(spans.length).toBeGreaterThanOrEqual(traceIds.length * 2); // every request was traced
  // Markers (not hex, not digits only) are searched in the raw export; OTP digits in what a reader sees.
  const raw = Buffer.concat(receiver.rawBodies).toString('utf8');
  const visible = spans.map(visibleText).join('\n');
  for (const secret of [SECRET_PIN, SECRET_PASSWORD, ...SECRET_TOKEN_PARTS, SECRET_OTP, DEMO.user.token, DEMO.user.password]) {
    expect(raw).not.toContain(secret);
  }
  for (const secret of [...otps, 'Bearer', 'authorization']) expect(visible).not.toContain(secret);
});
