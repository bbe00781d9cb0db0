/**
 * What the gateway knows of tracing: the settings (from the standard OTEL_* variables, read with the
 * rest of the configuration, ../config.ts) and the Tracing a host starts (./start-tracing.ts) and hands
 * to createGateway (`options.tracing`), which gives its plugin to Yoga, a span per PACE call to the
 * upstream observer and a span per admission to the guard's store. No module global: a gateway built
 * without it traces nothing, a gateway built with it traces all.
 */
import type { Plugin } from 'graphql-yoga';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  readonly enabled: boolean;
  readonly protocol: OtlpProtocol;
  /** Where spans go (scheme, host and path only: never credentials), for the start-up summary. */
  readonly endpoint: string | undefined;
  /** OTEL_TRACES_SAMPLER as the SDK will read it. */
  readonly sampler: string;
}

/** Span attribute values this gateway records: never a credential, a variable or a document. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/** A CLIENT span around one PACE call. */
export interface UpstreamSpan {
  /** The HTTP status, or the error code when no usable answer arrived. */
  end(outcome: number | string): void;
}

export interface Tracing {
  /** The Yoga plugin that makes the SERVER and operation spans. */
  readonly plugin: Plugin;
  /**
   * A CLIENT span for a PACE call, child of `parent` (the request's `RequestState.traceContext`,
   * opaque here); its own context is written into `headers` (traceparent, tracestate) for PACE.
   */
  upstreamSpan(parent: unknown, method: string, origin: string, path: string, headers: Record<string, string>): UpstreamSpan;
  /**
   * A CLIENT span around a call to a dependency such as Redis, child of `parent` (without one, no
   * span); ended by the function it returns, with the error's name when the call failed.
   */
  clientSpan(name: string, attributes: SpanAttributes, parent: unknown): (failure?: string) => void;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  /** Exports what is pending and stops; gives up after `timeoutMs` (the shutdown budget left). */
  shutdown(timeoutMs: number): Promise<void>;
}
