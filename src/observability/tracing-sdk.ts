/**
 * The OpenTelemetry SDK, set up from the standard variables: the exporter reads
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT/HEADERS/TIMEOUT/COMPRESSION, the provider reads
 * OTEL_TRACES_SAMPLER(_ARG) (parent-based always-on by default) and the span limits, the batch
 * processor OTEL_BSP_*, the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 * Loaded only when tracing is on (see ./tracing.ts).
 *
 * The provider is not registered as the process-global one: a host application that embeds the
 * gateway keeps its own. No context manager either: the trace context is handed along explicitly.
 */
import { readFileSync } from 'node:fs';
import { diag, DiagLogLevel, type DiagLogFunction } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger.js';
import type { Tracing, TracingSettings } from './tracing.js';
import { GatewayTracer } from './tracing-spans.js';

const SERVICE_NAME = 'pace-otp-gateway';

export async function createTracing(settings: TracingSettings, logger?: Logger): Promise<Tracing> {
  if (logger) reportDiagnostics(logger);
  const provider = new NodeTracerProvider({
    // Later wins: the SDK's defaults, then ours, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME.
    resource: defaultResource()
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE_NAME, [ATTR_SERVICE_VERSION]: packageVersion() }))
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(await exporter(settings))],
  });
  return new GatewayTracer(provider, provider.getTracer(SERVICE_NAME), new W3CTraceContextPropagator(), logger);
}

/** Only the exporter of the chosen protocol is loaded. */
async function exporter({ protocol }: TracingSettings): Promise<SpanExporter> {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

/** The SDK reports through the `diag` API, silent unless given a logger: warnings and errors go to ours, as warnings. */
function reportDiagnostics(logger: Logger): void {
  const report: DiagLogFunction = (message, ...args) => {
    // Only first lines of messages: an error's stack or attached data (a collector's whole answer) is noise here.
    const causes = args.map((arg) => (arg instanceof Error ? arg.message : undefined)).filter((cause) => cause !== undefined);
    logger.warn({ causes }, `tracing: ${summary(message)}`);
  };
  const ignore: DiagLogFunction = () => undefined;
  diag.setLogger({ error: report, warn: report, info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);
}

/** The SDK's error handler hands over errors as JSON ({"stack": …, "message": …}): their first line is enough. */
function summary(message: string): string {
  let text = message;
  try {
    const parsed = JSON.parse(message) as { message?: unknown; stack?: unknown };
    text = typeof parsed.message === 'string' ? parsed.message : typeof parsed.stack === 'string' ? parsed.stack : message;
  } catch {
    // not JSON: a plain message
  }
  return text.split('\n', 1)[0]!.slice(0, 300);
}

function packageVersion(): string {
  try {
    // src/observability/ and dist/observability/ are both two levels below the package root.
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
