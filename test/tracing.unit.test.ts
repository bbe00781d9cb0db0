/** Tracing's switch (the OTEL_* variables), its off state, the test receiver's protobuf decoding, the gateway's protobuf serializer. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, SpanKind as ApiSpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { serializeTraceRequest } from '../src/observability/otlp-protobuf.js';
import { startTracing } from '../src/observability/start-tracing.js';
import { otlpExporter } from '../src/observability/tracing-sdk.js';
import { decodeTraces } from './helpers/otlp.js';

/** The tracing part of the configuration (read with the rest of it). */
const loadTracingSettings = (env: Record<string, string>) => loadConfig(env).tracing;

describe('the tracing settings', () => {
  it('is off unless an OTLP endpoint is set or OTEL_TRACES_EXPORTER=otlp', () => {
    expect(loadTracingSettings({})).toEqual({ enabled: false, protocol: 'http/protobuf', endpoint: undefined, sampler: 'parentbased_always_on' });
    expect(loadTracingSettings({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).enabled).toBe(false);
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).enabled).toBe(true);
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).enabled).toBe(true);
    expect(loadTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(true);
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }).enabled).toBe(false);
  });

  it('honours the standard ways to turn it off', () => {
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
  });

  it('takes http/protobuf (default) and http/json, the traces-specific variable first', () => {
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol).toBe('http/json');
    expect(loadTracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }).protocol).toBe('http/protobuf');
  });

  it('names the endpoint (without credentials or query) and the sampler, for the start-up summary', () => {
    const settings = loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:secret@collector:4318/otlp?key=secret', OTEL_TRACES_SAMPLER: 'traceidratio' });
    expect(settings).toMatchObject({ endpoint: 'https://collector:4318/otlp', sampler: 'traceidratio' });
  });

  it('refuses an endpoint that is not an http(s) URL, without echoing it', () => {
    expect(() => loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL$/);
    expect(() => loadTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://user:secret@c' })).toThrow(/^(?![\s\S]*secret)/);
  });

  it('refuses what it cannot honour, listing every problem', () => {
    const attempt = () => loadTracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_EXPORTER: 'zipkin' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/OTEL_TRACES_EXPORTER must be otlp or none[\s\S]*OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/);
  });
});

describe('tracing off', () => {
  it('loads nothing: no tracing to hand to a gateway', async () => {
    expect(await startTracing(loadTracingSettings({}))).toBeUndefined();
  });
});

describe('the test receiver', () => {
  it('decodes http/protobuf to what http/json says, both written by the SDK', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'decoder' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('parent', { kind: ApiSpanKind.SERVER, attributes: { text: 'v', int: 42, flag: true, ratio: 1.5 } });
    parent.addEvent('happened', { detail: 'yes' });
    parent.setStatus({ code: SpanStatusCode.ERROR, message: 'E_CODE' });
    parent.end();
    tracer.startSpan('child', { kind: ApiSpanKind.CLIENT }).end();

    const spans = exporter.getFinishedSpans();
    const fromJson = decodeTraces(JsonTraceSerializer.serializeRequest(spans)!, 'application/json');
    const fromProtobuf = decodeTraces(ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf');
    expect(fromProtobuf).toEqual(fromJson);
    expect(fromProtobuf[0]).toMatchObject({
      name: 'parent',
      kind: 2,
      attributes: { text: 'v', int: 42, flag: true, ratio: 1.5 },
      events: [{ name: 'happened', attributes: { detail: 'yes' } }],
      status: { code: 2, message: 'E_CODE' },
      resource: { 'service.name': 'decoder' },
    });
    expect(fromProtobuf[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fromProtobuf[1]).toMatchObject({ name: 'child', kind: 3 });
  });
});

describe("the gateway's OTLP/protobuf serializer", () => {
  /** Spans with every field the SDK can fill: events, links, status, remote parents, trace state, all attribute types. */
  function variedSpans() {
    const exporter = new InMemorySpanExporter();
    const resourceA = resourceFromAttributes({ 'service.name': 'a', 'service.version': '1.2.3', 'host.arch': 'amd64' });
    const providerA = new BasicTracerProvider({ resource: resourceA, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const providerB = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'b' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = providerA.getTracer('one', '0.1.0');
    const other = providerA.getTracer('two', undefined, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
    const remote = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
      traceState: new TraceState('vendor=value,other=x'),
    };
    const server = tracer.startSpan('POST /graphql', { kind: ApiSpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'url.path': '/graphql' } }, trace.setSpanContext(ROOT_CONTEXT, remote));
    server.setAttributes({
      text: 'v',
      unicode: 'zürich – 東京 😀',
      empty: '',
      long: 'x'.repeat(300),
      longUnicode: 'ü東😀'.repeat(100),
      loneSurrogates: 'a\ud800b\udc00c', // written as U+FFFD, by the SDK's TextEncoder as by Buffer
      int: 42,
      negative: -7,
      big: 2 ** 40 + 3,
      huge: -(2 ** 53),
      ratio: 1.5,
      nan: Number.NaN,
      flag: true,
      off: false,
      strings: ['a', 'b', 'ü'],
      numbers: [1, 2.5, -3],
      flags: [true, false],
      mixed: [null, 'x', undefined] as unknown as string[],
    });
    server.addEvent('happened', { detail: 'yes', count: 3 });
    server.addEvent('bare');
    server.addLink({ context: remote, attributes: { why: 'follows' } });
    server.addLink({ context: { traceId: remote.traceId, spanId: remote.spanId, isRemote: false, traceFlags: 0 } });
    server.setStatus({ code: SpanStatusCode.ERROR, message: 'E_'.repeat(100) });
    const child = tracer.startSpan('child', { kind: ApiSpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, server));
    child.setStatus({ code: SpanStatusCode.OK });
    child.end();
    tracer.startSpan('internal').end();
    other.startSpan('second scope', { kind: ApiSpanKind.CONSUMER, attributes: { ['x'.repeat(200)]: 'long key' } }).end();
    providerB.getTracer('one').startSpan('second resource', { kind: ApiSpanKind.PRODUCER }).end();
    server.end();
    return exporter.getFinishedSpans();
  }

  it("writes the SDK's bytes, field for field, for every field and attribute type", () => {
    const spans = variedSpans();
    const ours = serializeTraceRequest(spans);
    expect(Buffer.from(ours).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
    // The bytes are the proof; the test receiver (which reads what the gateway's spans hold) as a second look.
    const decoded = decodeTraces(ours, 'application/x-protobuf');
    expect(decoded.map((span) => span.name)).toEqual(['child', 'internal', 'POST /graphql', 'second scope', 'second resource']); // by resource, then scope
    expect(decoded[2]).toMatchObject({ kind: 2, parentSpanId: 'b7ad6b7169203331', attributes: { unicode: 'zürich – 東京 😀', big: 2 ** 40 + 3, ratio: 1.5 } });
  });

  it('writes the same bytes when a batch is large enough to outgrow its first buffer, and again from its string cache', () => {
    const spans = variedSpans();
    const batch = Array.from({ length: 2000 }, (_, i) => spans[i % spans.length]!);
    const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(batch)!);
    expect(Buffer.from(serializeTraceRequest(batch)).equals(expected)).toBe(true);
    expect(Buffer.from(serializeTraceRequest(batch)).equals(expected)).toBe(true);
  });

  it('is what the http/protobuf exporter sends', async () => {
    const received: Buffer[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const saved = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = `http://127.0.0.1:${port}`;
    try {
      const exporter = await otlpExporter('http/protobuf');
      const spans = variedSpans();
      const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
      await exporter.shutdown();
      expect(result.code).toBe(0);
      expect(received).toHaveLength(1);
      expect(received[0]!.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
      else process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = saved;
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
