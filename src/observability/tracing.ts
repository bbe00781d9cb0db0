/**
 * OpenTelemetry traces, configured by the standard OTEL_* variables and nothing else. On when an
 * OTLP endpoint is set (or OTEL_TRACES_EXPORTER=otlp), off otherwise. Off, the SDK is never loaded
 * (./tracing-sdk.js is imported on start only) and every hook below is a plain call.
 *
 * One tracing per process, like the SDK's own global provider: startTracing() makes it the one
 * the gateway's plugin, the PACE client and the PIN guard's store report to.
 */
import type { Plugin } from 'graphql-yoga';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  readonly enabled: boolean;
  readonly protocol: OtlpProtocol;
}

/** Span attribute values this gateway records: never a credential, a variable or a document. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/** A CLIENT span around one PACE call. */
export interface UpstreamSpan {
  /** The span's own context as W3C headers: what goes to PACE (traceparent, and tracestate when there is one). */
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  /** The HTTP status, or the error code when no usable answer arrived. */
  end(outcome: number | string): void;
}

/** What the SDK side (./tracing-spans.ts) provides once started. */
export interface TracingRuntime {
  readonly plugin: Plugin;
  upstreamSpan(parent: unknown, method: string, origin: string, path: string): UpstreamSpan;
  withSpan<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>, parent?: unknown): Promise<T>;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface Tracing {
  /** Exports every finished span now. */
  flush(): Promise<void>;
  /** Exports what is pending and stops; gives up after `timeoutMs` (the shutdown budget left). */
  shutdown(timeoutMs: number): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;
const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'];

/** Reads the OTEL_* variables that decide whether tracing is on; throws ConfigError on values it cannot honour. */
export function loadTracingSettings(env: Env = process.env): TracingSettings {
  const read = (name: string) => (env[name]?.trim() || undefined);
  const problems: string[] = [];
  const exporters = (read('OTEL_TRACES_EXPORTER') ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of exporters) {
    if (name !== 'otlp' && name !== 'none') problems.push(`OTEL_TRACES_EXPORTER must be otlp or none here, got "${name}"`);
  }
  const protocol = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol)) problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not bundled), got "${protocol}"`);
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    const value = read(name);
    // The value is not echoed: it may carry credentials.
    if (value !== undefined && !isHttpUrl(value)) problems.push(`${name} must be an http(s) URL`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const endpoint = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? read('OTEL_EXPORTER_OTLP_ENDPOINT');
  const disabled = read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' || exporters.includes('none');
  const enabled = !disabled && (exporters.includes('otlp') || endpoint !== undefined);
  return { enabled, protocol: protocol as OtlpProtocol };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

let runtime: TracingRuntime | undefined;

/**
 * Loads and starts the SDK when tracing is on; undefined (and nothing loaded) when it is off.
 * The SDK's own warnings and errors (an unreachable collector, dropped spans) go to `logger`.
 */
export async function startTracing(settings: TracingSettings, logger?: Logger): Promise<Tracing | undefined> {
  if (!settings.enabled) return undefined;
  const { createTracingRuntime } = await import('./tracing-sdk.js');
  const started = await createTracingRuntime(settings, logger);
  runtime = started;
  return {
    flush: () => started.flush(),
    shutdown: async (timeoutMs) => {
      if (runtime === started) runtime = undefined;
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, timeoutMs))));
      const outcome = await Promise.race([started.shutdown().catch(() => undefined), budget]);
      clearTimeout(timer);
      if (outcome === 'late') logger?.warn('tracing: pending spans not exported within the shutdown budget');
    },
  };
}

/** The Yoga plugin that makes the SERVER and operation spans; empty when tracing is off. */
export function useTracing(): Plugin {
  return runtime?.plugin ?? {};
}

/**
 * A CLIENT span for a PACE call, child of `parent` (the request's `RequestState.traceContext`, opaque
 * here); undefined when tracing is off.
 */
export function startUpstreamSpan(parent: unknown, method: string, origin: string, path: string): UpstreamSpan | undefined {
  return runtime?.upstreamSpan(parent, method, origin, path);
}

/**
 * Runs `fn` inside a CLIENT span (a call to a dependency such as Redis), child of `parent` (the
 * request's `RequestState.traceContext`, handed along; without it, no span); a thrown error marks the
 * span failed with its name only. Tracing off: just `fn()`.
 */
export function withSpan<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>, parent?: unknown): Promise<T> {
  return runtime ? runtime.withSpan(name, attributes, fn, parent) : fn();
}
