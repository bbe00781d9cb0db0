/**
 * The gateway's own process (`src/server.ts`) with tracing on from the environment alone: spans in
 * http/protobuf (the default protocol), held back by a long OTEL_BSP_SCHEDULE_DELAY and exported by
 * the SIGTERM drain; the PIN guard's Redis admission check as a span.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO } from '../src/sandbox/index.js';
import { SpanKind, StatusCode, startOtlpReceiver, type OtlpReceiver } from './helpers/otlp.js';
import { freePort, hasRedis, printedDemoToken, runGatewayProcess, startGatewayProcess, startRedis } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, scriptedUpstream } from './helpers/servers.js';

if (!hasRedis) console.warn('SKIPPED tracing.e2e: redis-server is not installed (apt-get install -y redis-server; .ci/run does this)');

describe.skipIf(!hasRedis)('tracing in the server process', () => {
  let receiver: OtlpReceiver | undefined;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  afterAll(async () => {
    await receiver?.close();
    await redis?.stop();
  });

  it('exports the pending spans in http/protobuf on SIGTERM, within the shutdown budget', async () => {
    receiver = await startOtlpReceiver();
    redis = await startRedis();
    const gateway = await startGatewayProcess({
      REDIS_URL: redis.url,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_SERVICE_NAME: 'otp-e2e',
      OTEL_BSP_SCHEDULE_DELAY: '600000', // nothing leaves before the drain
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const { body } = await graphql(gateway.url, CREATE_OTP, {
      variables: { input: { pin: DEMO.user.pin } },
      headers: { ...bearer(printedDemoToken(gateway)), traceparent: `00-${traceId}-${parentId}-01` },
    });
    expect(body.data?.['createOtp']?.__typename).toBe('Otp');
    expect(receiver.spans).toHaveLength(0);

    const started = performance.now();
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000 + 2_000); // the budget, plus a margin for a busy machine

    expect(receiver.contentTypes.length).toBeGreaterThan(0);
    for (const type of receiver.contentTypes) expect(type).toBe('application/x-protobuf');
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    const named = (name: string) => spans.find((span) => span.name === name);
    const server = named('POST /graphql');
    const operation = named('mutation CreateOtp');
    expect(server).toMatchObject({ kind: SpanKind.SERVER, parentSpanId: parentId, resource: { 'service.name': 'otp-e2e' } });
    expect(operation).toMatchObject({ kind: SpanKind.INTERNAL, parentSpanId: server!.spanId, attributes: { 'pace_otp_gateway.result': 'Otp' } });
    expect(named('POST /user/2024-1/user/otp')).toMatchObject({ kind: SpanKind.CLIENT, parentSpanId: operation!.spanId, attributes: { 'http.response.status_code': 201 } });
    // The admission check runs while the operation executes: its span hangs under the operation.
    expect(named('pin-guard begin')).toMatchObject({
      kind: SpanKind.CLIENT,
      parentSpanId: operation!.spanId,
      attributes: { 'db.system.name': 'redis', 'db.operation.name': 'EVAL' },
      status: { code: StatusCode.UNSET },
    });
    // SERVER, operation, PACE call, admission check: nothing else. The bookkeeping after PACE's answer
    // (`pin-guard end`) has no span, and is not an orphan trace of its own either.
    expect(spans).toHaveLength(4);
    expect(receiver.spans.filter((span) => span.name === 'pin-guard end')).toEqual([]);
  });
});

describe('tracing through a shutdown out of time', () => {
  it('exports the spans of the requests the deadline aborted, in the time left before the hard exit', async () => {
    const receiver = await startOtlpReceiver();
    const hanging = await scriptedUpstream(() => undefined); // PACE never answers
    try {
      const gateway = await startGatewayProcess({
        PACE_API_URL: `${hanging.url}/user/2024-1`,
        NODE_ENV: 'production',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '600000', // nothing leaves before the drain
        SHUTDOWN_TIMEOUT_MS: '1000',
      });
      const traceId = randomBytes(16).toString('hex');
      const answer = graphql(gateway.url, CREATE_OTP, {
        variables: { input: { pin: '1234' } },
        headers: { ...bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJzaHV0ZG93bi1zcGFucyJ9.SIG'), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      while (hanging.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const started = performance.now();
      const stopped = gateway.stop('SIGTERM');
      expect((await answer).body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(await stopped).toBe(0);
      expect(performance.now() - started).toBeLessThan(1_000 + 1_000);
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      expect(spans.find((span) => span.name === 'POST /graphql')).toMatchObject({ kind: SpanKind.SERVER, attributes: { 'pace_otp_gateway.result': 'UPSTREAM_UNAVAILABLE' } });
      expect(spans.find((span) => span.name === 'POST /user/2024-1/user/otp')).toMatchObject({ kind: SpanKind.CLIENT, status: { code: StatusCode.ERROR } });
    } finally {
      await hanging.close();
      await receiver.close();
    }
  });
});

describe('tracing misconfigured or unreachable', () => {
  it('refuses to start on an OTLP protocol it cannot speak', () => {
    const { status, output } = runGatewayProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(status).toBe(1);
    expect(output).toContain('OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json');
  });

  it('serves with the collector unreachable, and still stops within the shutdown budget, saying what was lost', async () => {
    const gateway = await startGatewayProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, SHUTDOWN_TIMEOUT_MS: '3000' });
    const { body } = await graphql(gateway.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(printedDemoToken(gateway)) });
    expect(body.data?.['createOtp']?.__typename).toBe('Otp');
    const started = performance.now();
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect(performance.now() - started).toBeLessThan(3_000 + 1_000);
    // The exporter retries until its own timeout: here the budget ends first, and says so.
    expect(gateway.output()).toMatch(/"level":40[^\n]*"msg":"tracing: pending spans not exported within the shutdown budget"/);
  });
});
