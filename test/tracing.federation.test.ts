/**
 * One trace across the supergraph: client -> Hive Gateway (its own OpenTelemetry plugin) -> this
 * subgraph -> PACE (the sandbox). Both export to one OTLP receiver; the gateway's spans and ours
 * share the trace, ours hang under Hive's subgraph call, and PACE's parent is our CLIENT span.
 */
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { useOpenTelemetry } from '@graphql-hive/plugin-opentelemetry';
import { disable as disableHiveTracing, openTelemetrySetup } from '@graphql-hive/plugin-opentelemetry/setup';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTracing } from '../src/observability/start-tracing.js';
import type { Tracing } from '../src/observability/tracing.js';
import { DEMO, startSandbox, type RecordedRequest, type RunningSandbox } from '../src/sandbox/index.js';
import { composeSupergraph, fetchSubgraph, startProfileSubgraph } from './helpers/federation.js';
import { SpanKind, startOtlpReceiver, visibleText, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp.js';
import { bearer, CREATE_OTP, graphql, listen, startGateway, type Listening, type RunningGateway } from './helpers/servers.js';

const SECRET_PIN = 'PINMARKER-5544332211';

let receiver: OtlpReceiver;
let tracing: Tracing;
let sandbox: RunningSandbox;
let otp: RunningGateway;
let profile: Listening;
let hive: Listening;
const received: RecordedRequest[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // This subgraph: configured as in production, by the environment only.
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' });
  tracing = (await startTracing(loadConfig().tracing))!;
  sandbox = await startSandbox({ onRequest: (request) => received.push(request) });
  otp = await startGateway(sandbox.url, {}, { tracing });
  profile = await startProfileSubgraph();
  const supergraph = composeSupergraph(await Promise.all([fetchSubgraph('otp', otp.url), fetchSubgraph('profile', profile.url)])).supergraphSdl;

  // The router: Hive Gateway with its OpenTelemetry plugin, set up the way its docs show.
  openTelemetrySetup({
    contextManager: new AsyncLocalStorageContextManager(),
    resource: { serviceName: 'hive-gateway' },
    traces: { exporter: new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }), batching: false },
  });
  const runtime = createGatewayRuntime({
    supergraph,
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
    plugins: (context) => [useOpenTelemetry({ ...context, traces: true })],
  });
  const http = await listen(runtime);
  hive = { ...http, close: async () => { await http.close(); await runtime.dispose(); } };
});

afterAll(async () => {
  await hive?.close();
  disableHiveTracing();
  await Promise.all([otp?.close(), profile?.close()]);
  await tracing?.shutdown(5_000);
  await sandbox?.close();
  await receiver?.close();
});

async function spansOfTrace(traceId: string, services: string[]): Promise<ReceivedSpan[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    await tracing.flush();
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    const seen = new Set(spans.map((span) => span.resource['service.name']));
    // The router's root span ends after its response is sent: wait for it too.
    const rooted = spans.some((span) => span.resource['service.name'] === 'hive-gateway' && span.parentSpanId === '');
    if (rooted && services.every((service) => seen.has(service)) && spans.some((span) => span.kind === SpanKind.CLIENT && span.name.includes('/user/otp'))) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return receiver.spans.filter((span) => span.traceId === traceId);
}

it("puts the PACE call in the router's trace, under the router's subgraph call, with nothing secret", async () => {
  const { body } = await graphql(hive.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(DEMO.user.token) });
  expect(body.data?.['createOtp']?.__typename).toBe('Otp');
  expect(received).toHaveLength(1);
  const [, traceId, paceParent] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(received[0]!.headers['traceparent'])) ?? [];
  expect(traceId).toBeDefined();

  const spans = await spansOfTrace(traceId!, ['hive-gateway', 'pace-otp-gateway']);
  const ours = spans.filter((span) => span.resource['service.name'] === 'pace-otp-gateway');
  const router = spans.filter((span) => span.resource['service.name'] === 'hive-gateway');
  expect(router.length).toBeGreaterThan(0);
  const server = ours.find((span) => span.kind === SpanKind.SERVER)!;
  const operation = ours.find((span) => span.kind === SpanKind.INTERNAL)!;
  const paceCall = ours.find((span) => span.kind === SpanKind.CLIENT)!;
  // Our SERVER span's parent is the router's span for its call to this subgraph.
  const routerCall = router.find((span) => span.spanId === server.parentSpanId);
  expect(routerCall, `parent of our SERVER span among ${router.map((s) => s.name).join(', ')}`).toBeDefined();
  expect(routerCall!.kind).toBe(SpanKind.CLIENT);
  expect(operation.parentSpanId).toBe(server.spanId);
  expect(paceCall).toMatchObject({ name: 'POST /user/2024-1/user/otp', parentSpanId: operation.spanId, spanId: paceParent });
  // Every span of the trace leads up to the router's root.
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const root = (span: ReceivedSpan): ReceivedSpan => (byId.has(span.parentSpanId) ? root(byId.get(span.parentSpanId)!) : span);
  expect(root(paceCall).resource['service.name']).toBe('hive-gateway');
  expect(root(paceCall).parentSpanId).toBe('');

  // A failed PIN through the router: the marker must not show in any span of either service.
  const failed = await graphql(hive.url, CREATE_OTP, { variables: { input: { pin: SECRET_PIN } }, headers: bearer(DEMO.user.token) });
  expect(failed.body.data?.['createOtp']?.__typename).toBe('InvalidCredentials');
  const [, failedTrace] = /^00-([0-9a-f]{32})-/.exec(String(received[1]?.headers['traceparent'])) ?? [];
  const failedSpans = await spansOfTrace(failedTrace!, ['hive-gateway', 'pace-otp-gateway']);
  expect(failedSpans.length).toBeGreaterThan(3);
  for (const span of failedSpans) expect(visibleText(span), span.name).not.toContain(SECRET_PIN);
  expect(Buffer.concat(receiver.rawBodies).toString('utf8')).not.toContain(DEMO.user.token);
});
