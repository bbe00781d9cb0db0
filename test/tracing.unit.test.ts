/** Tracing's switch (the OTEL_* variables), its off state, and the test receiver's protobuf decoding. */
import { SpanKind as ApiSpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTracing } from '../src/observability/start-tracing.js';
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
