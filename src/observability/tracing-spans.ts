/**
 * The gateway's spans, following the semantic conventions:
 * - SERVER `POST /graphql` per GraphQL HTTP request, continuing the caller's traceparent/tracestate;
 * - INTERNAL `mutation CreateOtp` per operation (parse, validate and execute inside it: they take
 *   microseconds with Yoga's parse cache, and three spans more per request would cost more than they tell);
 * - CLIENT `POST /user/…/user/otp` per PACE call, whose own context is the traceparent PACE receives;
 * - CLIENT spans around dependency calls (withSpan: the PIN guard's Redis round trips).
 *
 * Attributes are fixed names with values the gateway itself chose (method, route, status, result
 * type, operation name and type): never the document (an inline literal can be a PIN), the
 * variables, a header value or an exception message.
 */
import {
  defaultTextMapSetter,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CodedErrorCode } from '../errors.js';
import { trackedRequestState } from './request-state.js';
import type { SpanAttributes, TracingRuntime, UpstreamSpan } from './tracing.js';

/** The result type as the request log has it: `Otp`, `InvalidCredentials`, `UPSTREAM_TIMEOUT`, … */
export const RESULT_ATTRIBUTE = 'pace_otp_gateway.result';

/** Results that mean a dependency (or the gateway) failed: span errors. Union members are answers, not errors. */
const FAILURES: Record<CodedErrorCode | 'INTERNAL_SERVER_ERROR', true> = {
  UPSTREAM_BAD_RESPONSE: true,
  UPSTREAM_UNAVAILABLE: true,
  UPSTREAM_TIMEOUT: true,
  RATE_LIMIT_UNAVAILABLE: true,
  INTERNAL_SERVER_ERROR: true,
};
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

type MaybePromise<T> = T | Promise<T>;

export class GatewayTracer implements TracingRuntime {
  readonly plugin: Plugin;
  readonly #provider: NodeTracerProvider;
  readonly #tracer: Tracer;
  readonly #contexts: ContextManager;
  readonly #propagator: TextMapPropagator;
  // The gateway calls two PACE paths: their span names and attributes are worked out once.
  readonly #upstreamTargets = new Map<string, { name: string; attributes: SpanAttributes }>();

  constructor(provider: NodeTracerProvider, tracer: Tracer, contexts: ContextManager, propagator: TextMapPropagator) {
    this.#provider = provider;
    this.#tracer = tracer;
    this.#contexts = contexts;
    this.#propagator = propagator;
    this.plugin = this.#yogaPlugin();
  }

  upstreamSpan(method: string, origin: string, path: string): UpstreamSpan {
    const parent = this.#contexts.active();
    const { name, attributes } = this.#upstreamTarget(method, origin, path);
    const span = this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    const carrier: Record<string, string> = {};
    this.#propagator.inject(trace.setSpan(parent, span), carrier, defaultTextMapSetter);
    return {
      traceparent: carrier['traceparent'],
      tracestate: carrier['tracestate'],
      end(outcome) {
        if (typeof outcome === 'number') {
          span.setAttribute('http.response.status_code', outcome);
          // PACE's 4xx answers (wrong PIN, expired token, …) are results the client switches on.
          if (outcome >= 500) failed(span, String(outcome));
        } else {
          failed(span, outcome);
        }
        span.end();
      },
    };
  }

  #upstreamTarget(method: string, origin: string, path: string): { name: string; attributes: SpanAttributes } {
    const key = `${method} ${origin}${path}`;
    let target = this.#upstreamTargets.get(key);
    if (target === undefined) {
      const url = new URL(path, origin);
      target = {
        name: `${method} ${url.pathname}`,
        attributes: {
          'http.request.method': method,
          'url.full': url.origin + url.pathname, // no query string: PACE's paths carry none
          'server.address': url.hostname,
          'server.port': port(url),
        },
      };
      this.#upstreamTargets.set(key, target);
    }
    return target;
  }

  withSpan<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T> {
    const parent = this.#contexts.active();
    const span = this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    return this.#contexts.with(trace.setSpan(parent, span), fn).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error instanceof Error ? error.name : 'Error');
        span.end();
        throw error;
      },
    );
  }

  flush(): Promise<void> {
    return this.#provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.#provider.shutdown();
    this.#contexts.disable();
  }

  #yogaPlugin(): Plugin {
    const serverSpans = new WeakMap<Request, Span>();
    const operationSpans = new WeakMap<Request, Span>();
    let endpoint = '/graphql';
    return {
      onYogaInit({ yoga }) {
        endpoint = yoga.graphqlEndpoint;
      },
      instrumentation: {
        // Probes (/ready, /metrics) and other paths make no trace.
        request: ({ request }, wrapped) => {
          const { origin, path } = splitUrl(request.url);
          if (path !== endpoint) return wrapped();
          const method = HTTP_METHODS.has(request.method) ? request.method : '_OTHER';
          const parent = this.#propagator.extract(this.#contexts.active(), request.headers, headersGetter);
          // server.address/port left out: the resource says which host this is, and the Host header is the client's.
          const span = this.#tracer.startSpan(
            `${method} ${endpoint}`,
            { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': endpoint, 'url.path': path, 'url.scheme': scheme(origin) } },
            parent,
          );
          serverSpans.set(request, span);
          return this.#runIn(trace.setSpan(parent, span), wrapped, (error) => {
            if (error !== undefined) failed(span, error instanceof Error ? error.name : 'Error');
            span.end();
          });
        },
        operation: ({ request }, wrapped) => {
          const parent = this.#contexts.active();
          // Renamed to `mutation CreateOtp` once the document is parsed.
          const span = this.#tracer.startSpan('GraphQL Operation', { kind: SpanKind.INTERNAL }, parent);
          operationSpans.set(request, span);
          return this.#runIn(trace.setSpan(parent, span), wrapped, (error) => {
            const results = trackedRequestState(request)?.results ?? [];
            if (results.length > 0) span.setAttribute(RESULT_ATTRIBUTE, results.join(','));
            const failure = results.find((result) => Object.hasOwn(FAILURES, result)) ?? (error === undefined ? undefined : 'INTERNAL_SERVER_ERROR');
            if (failure !== undefined) failed(span, failure);
            span.end();
          });
        },
      },
      onParse({ context }) {
        return ({ result }) => {
          const span = operationSpans.get(context.request);
          if (span === undefined || result instanceof Error || result === null) return;
          const operation = getOperationAST(result, context.params?.operationName);
          if (operation === null || operation === undefined) return;
          const name = operation.name?.value;
          span.setAttribute('graphql.operation.type', operation.operation);
          if (name !== undefined) span.setAttribute('graphql.operation.name', name);
          span.updateName(name === undefined ? operation.operation : `${operation.operation} ${name}`);
        };
      },
      onResponse({ request, response }) {
        const span = serverSpans.get(request);
        if (span === undefined) return;
        span.setAttribute('http.response.status_code', response.status);
        const results = trackedRequestState(request)?.results ?? [];
        if (results.length > 0) span.setAttribute(RESULT_ATTRIBUTE, results.join(','));
        // A 4xx is the caller's mistake, not this server's failure.
        if (response.status >= 500) failed(span, String(response.status));
      },
    };
  }

  /** Runs Yoga's `wrapped` phase with `context` current, then `done` (with the error, if it threw). */
  #runIn(context: Context, wrapped: () => MaybePromise<void>, done: (error?: unknown) => void): MaybePromise<void> {
    let result: MaybePromise<void>;
    try {
      result = this.#contexts.with(context, wrapped);
    } catch (error) {
      done(error);
      throw error;
    }
    if (!isThenable(result)) {
      done();
      return result;
    }
    return Promise.resolve(result).then(
      () => done(),
      (error: unknown) => {
        done(error);
        throw error;
      },
    );
  }
}

/** Marks the span failed with a code only: messages can quote what a client or upstream sent. */
function failed(span: Span, errorType: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
}

/** Origin and path of a request URL, without parsing it whole (the query string is dropped, never read). */
function splitUrl(url: string): { origin: string; path: string } {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  if (pathStart < 0) return { origin: url, path: '/' };
  const queryStart = url.indexOf('?', pathStart);
  return { origin: url.slice(0, pathStart), path: queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart) };
}

function scheme(origin: string): string {
  return origin.startsWith('https:') ? 'https' : 'http';
}

// Yoga's phases may return its own thenables rather than native promises.
function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}

function port(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}
