// What each piece of the gateway's per-request work costs on its own, in a tight loop in this process:
// node bench/micro.mjs (after npm run build). The in-situ table (feature-costs.mjs) cannot resolve
// items below this machine's noise (±100 µs per round); a loop of 50,000 calls can. Each row is the
// median of 7 runs, in µs of this process's CPU per request. The PACE call rows use the bench stub
// (its own process) with 20 calls in flight. The last rows are whole requests through Yoga's fetch,
// the gateway against the minimal gateway (servers/yoga-minimal.mjs), both calling the stub, and the
// gateway traced as gateway-otel is: what the whole costs beside what its parts cost.
// Knobs: MICRO_RUNS (7), MICRO_CALLS (50000; PACE rows: a tenth).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer } from './lib/procs.mjs';
import { unverifiedToken, issuerAt } from './lib/tokens.mjs';
import { cpuPerCall, wholeCreateOtp } from './lib/in-process.mjs';
import { OTP_PATH_PREFIX, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';

const dist = (module) => new URL(`../dist/${module}`, import.meta.url).href;
if (!existsSync(fileURLToPath(dist('gateway.js')))) throw new Error('dist/ not built: run `npm run build` first');
// The product's packages: bench/node_modules has none of these, so they resolve to the root's (ESM, as dist/ loads them).
const { pino } = await import('pino');
const { Pool } = await import('undici');
const { createYoga, createSchema } = await import('graphql-yoga');
const { createLogger } = await import(dist('logger.js'));
const { UnverifiedCallers } = await import(dist('security/callers.js'));
const { GatewayMetrics } = await import(dist('observability/metrics.js'));
const { MemoryGuardStore } = await import(dist('security/guard-store.js'));
const { PinGuard } = await import(dist('security/pin-guard.js'));
const { PaceClient } = await import(dist('upstream/client.js'));
const { createOtp } = await import(dist('upstream/operations.js'));
const { otpFromResponse } = await import(dist('upstream/mapping.js'));
const { observeUpstreamCalls } = await import(dist('observability/upstream-calls.js'));
const { createGateway } = await import(dist('gateway.js'));
const { loadConfig } = await import(dist('config.js'));
const { startTracing } = await import(dist('observability/start-tracing.js'));
const { createMinimalYoga } = await import('./servers/yoga-minimal.mjs');

const runs = Number(process.env.MICRO_RUNS || 7);
const calls = Number(process.env.MICRO_CALLS || 50_000);
const cost = (fn, { n = calls, inFlight = 1 } = {}) => cpuPerCall(fn, { n, inFlight, runs });

const rows = [];
const row = async (what, fn, options) => rows.push([what, await cost(fn, options)]);

// The request log line: pino as the gateway configures it, to stdout-like batches (here /dev/null).
const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 }));
const fields = { requestId: randomUUID(), operationName: 'CreateOtp', result: 'Otp', status: 200, upstreamStatus: 201, upstreamMs: 3, upstreamCause: undefined, durationMs: 5 };
await row('log line (pino, info)', () => logger.info(fields, 'request'));

const issuer = issuerAt('https://id.bench.invalid');
const tokens = Array.from({ length: 1000 }, (_, i) => unverifiedToken(issuer, `bench-user-${i}`));
const callers = new UnverifiedCallers();
await row('caller key (JWT decode + sha256)', (i) => callers.identify(tokens[i % tokens.length]));

const metrics = new GatewayMetrics();
await row('metrics (request + upstream)', () => { metrics.request('Otp', 200); metrics.upstream({ operation: 'createOtp', status: 201, durationMs: 3.2, cause: undefined }); });
await row('2 UUIDs (request id, guard slot)', () => { randomUUID(); randomUUID(); });
const response = { status: 201, body: { otp: '123456', expiresAt: '2030-01-01T00:00:00Z' }, requestId: undefined, retryAfter: undefined };
await row('OTP mapping (strict, DateTime)', () => otpFromResponse(response));

const guard = new PinGuard({ store: new MemoryGuardStore(), pinMaxFailures: 5, pinFailureWindowSeconds: 900 });
const answer = () => Promise.resolve(1);
await row('PIN guard around a check (memory store)', (i) => guard.guard(`account-${i}`, answer), { inFlight: 20 });
await row('  the same check, unguarded', () => answer(), { inFlight: 20 });
await guard.close();

// Three spans as a traced request makes them (SERVER, operation, CLIENT, a few attributes each), with
// the OpenTelemetry SDK's batch processor and an exporter that discards: the SDK's own cost per request.
const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node'); // the gateway's own tracing packages
const { trace, ROOT_CONTEXT, SpanKind } = await import('@opentelemetry/api');
const discard = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] });
const tracer = provider.getTracer('micro');
await row('3 spans, OpenTelemetry SDK, batched, export discarded', () => {
  const server = tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/graphql', 'url.path': '/graphql' } });
  const parent = trace.setSpan(ROOT_CONTEXT, server);
  const operation = tracer.startSpan('mutation CreateOtp', { kind: SpanKind.INTERNAL, attributes: { 'graphql.operation.type': 'mutation' } }, parent);
  const client = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'server.address': '127.0.0.1' } }, trace.setSpan(parent, operation));
  client.setAttribute('http.response.status_code', 201);
  client.end();
  operation.end();
  server.setAttribute('http.response.status_code', 200);
  server.end();
});
await provider.shutdown();

// Yoga's own cost per plugin hook: bare Yoga, sequential yoga.fetch, with 10 plugins of 2 empty hooks or none.
const yogaWith = (plugins) => createYoga({ schema: createSchema({ typeDefs: 'type Query { ok: Boolean! }', resolvers: { Query: { ok: () => true } } }), logging: false, graphiql: false, maxRequestBodySize: false, plugins });
const plain = yogaWith([]);
const hooked = yogaWith(Array.from({ length: 10 }, () => ({ onRequest() {}, onResponse() {} })));
const ask = (yoga) => () => Promise.resolve(yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ ok }"}' })).then((r) => r.text());
const bare = await cost(ask(plain), { n: calls / 10 });
const withHooks = await cost(ask(hooked), { n: calls / 10 });
rows.push(['bare Yoga request ({ ok }, yoga.fetch)', bare], ['  one more plugin hook (of 20 added)', (withHooks - bare) / 20]);

// The PACE call: the gateway's client + mapping (with and without its observer) against undici's own request.
const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: fileURLToPath(new URL('results/logs/micro-stub.log', import.meta.url)), ipc: false });
const base = new URL(`http://127.0.0.1:${stub.port}${OTP_PATH_PREFIX}`);
const authorization = `Bearer ${tokens[0]}`;
const pool = new Pool(base.origin, { connections: 64 });
const viaUndici = async () => {
  const res = await pool.request({ path: `${base.pathname}/user/otp`, method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ pin: '1234' }) });
  return (await res.body.json()).otp;
};
const client = new PaceClient({ baseUrl: base, timeoutMs: 5000, connections: 64 });
const observed = new PaceClient({ baseUrl: base, timeoutMs: 5000, connections: 64, observer: observeUpstreamCalls(metrics, undefined) });
const pace = { n: calls / 10, inFlight: 20 };
await row("PACE call: undici's request + body.json()", viaUndici, pace);
await row("PACE call: the gateway's client + mapping", () => createOtp(client, { authorization, context: undefined }, { pin: '1234' }), pace);
await row('  + its observer (request id, metrics, log fields)', () => createOtp(observed, { authorization, context: { requestId: 'r', results: [] } }, { pin: '1234' }), pace);
await Promise.all([pool.close(), client.close(), observed.close()]);

// Whole requests through Yoga's fetch in this process (./lib/in-process.mjs), a new account and token
// each, PACE = the stub: the gateway as in production against the minimal gateway, one at a time and
// 20 in flight.
const gateway = createGateway(
  { ...loadConfig({ NODE_ENV: 'production', PACE_API_URL: base.href }), paceApiUrl: base },
  { logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 })), metrics: new GatewayMetrics() },
);
const minimal = createMinimalYoga(base.href);
// The same gateway traced as gateway-otel is: every request sampled, spans exported in OTLP/protobuf
// to the stub (the exporter reads its endpoint from the environment, as in production).
Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: base.origin, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
const tracedConfig = loadConfig({ NODE_ENV: 'production', PACE_API_URL: base.href, OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_ENDPOINT: base.origin });
const tracing = await startTracing(tracedConfig.tracing);
const traced = createGateway(
  { ...tracedConfig, paceApiUrl: base },
  { logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 })), metrics: new GatewayMetrics(), tracing },
);
for (const inFlight of [1, 20]) {
  await row(`whole request, minimal gateway (${inFlight} in flight)`, wholeCreateOtp(minimal, 'micro-minimal'), { n: calls / 10, inFlight });
  await row(`whole request, the gateway (${inFlight} in flight)`, wholeCreateOtp(gateway, 'micro-gateway'), { n: calls / 10, inFlight });
}
await row('whole request, the gateway traced (always_on, 20 in flight)', wholeCreateOtp(traced, 'micro-traced'), { n: calls / 10, inFlight: 20 });
await Promise.all([gateway.dispose(), traced.dispose()]);
await tracing?.shutdown(2000);
await stopServer(stub);

console.log(`\nµs of CPU per request, median of ${runs} runs (${calls} calls each; PACE and Yoga rows ${calls / 10})\n`);
for (const [what, us] of rows) console.log(`${us.toFixed(2).padStart(8)}  ${what}`);
