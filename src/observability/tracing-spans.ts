/**
 * The gateway's spans, following the semantic conventions:
 * - SERVER `POST /graphql` per GraphQL HTTP request, continuing the caller's traceparent/tracestate;
 * - INTERNAL `mutation CreateOtp` per operation (parse, validate and execute inside it: they take
 *   microseconds with Yoga's parse cache, and three spans more per request would cost more than they tell);
 * - CLIENT `POST /user/…/user/otp` per PACE call, whose own context is the traceparent PACE receives;
 * - CLIENT spans around dependency calls handed the request's context (clientSpan: the PIN guard's
 *   Redis admission check).
 *
 * The context is handed along explicitly (Request -> RequestState.traceContext -> UpstreamCall), with
 * plain Yoga hooks: no AsyncLocalStorage, whose promise hooks slow every promise on Node 20.
 *
 * Attributes are fixed names with values the gateway itself chose (method, route, status, result
 * type, operation name and type): never the document (an inline literal can be a PIN), the
 * variables, a header value or an exception message.
 */
import {
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isFailureResult } from '../errors.js';
import { requestPath } from '../request-path.js';
import type { Logger } from '../logger.js';
import { getRequestState } from './request-state.js';
import type { SpanAttributes, Tracing, UpstreamSpan } from './tracing.js';

/** The result type as the request log has it: `Otp`, `InvalidCredentials`, `UPSTREAM_TIMEOUT`, … */
export const RESULT_ATTRIBUTE = 'pace_otp_gateway.result';

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

export class GatewayTracer implements Tracing {
  readonly plugin: Plugin;
  readonly #provider: NodeTracerProvider;
  readonly #tracer: Tracer;
  readonly #propagator: TextMapPropagator;
  readonly #logger: Logger | undefined;
  // The gateway calls two PACE paths: their span names and attributes are worked out once.
  readonly #upstreamTargets = new Map<string, { name: string; attributes: SpanAttributes }>();

  constructor(provider: NodeTracerProvider, tracer: Tracer, propagator: TextMapPropagator, logger?: Logger) {
    this.#provider = provider;
    this.#tracer = tracer;
    this.#propagator = propagator;
    this.#logger = logger;
    this.plugin = this.#yogaPlugin();
  }

  upstreamSpan(parent: unknown, method: string, origin: string, path: string, headers: Record<string, string>): UpstreamSpan {
    const context = (parent as Context | undefined) ?? ROOT_CONTEXT;
    const { name, attributes } = this.#upstreamTarget(method, origin, path);
    const span = this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, context);
    // PACE gets this span's context (a retry included), so its spans hang under it.
    this.#propagator.inject(trace.setSpan(context, span), headers, defaultTextMapSetter);
    return {
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

  clientSpan(name: string, attributes: SpanAttributes, parentContext: unknown): (failure?: string) => void {
    // Without a parent handed along (e.g. bookkeeping after the answer): no span.
    const parent = parentContext as Context | undefined;
    if (parent === undefined) return noSpan;
    const span = this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    return (failure) => {
      if (failure !== undefined) failed(span, failure);
      span.end();
    };
  }

  flush(): Promise<void> {
    return this.#provider.forceFlush();
  }

  async shutdown(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, timeoutMs))));
    const outcome = await Promise.race([this.#provider.shutdown().catch(() => undefined), budget]);
    clearTimeout(timer);
    if (outcome === 'late') this.#logger?.warn('tracing: pending spans not exported within the shutdown budget');
  }

  #yogaPlugin(): Plugin {
    const servers = new WeakMap<Request, Span>();
    const operations = new WeakMap<Request, { span: Span; context: Context }>();
    const endOperation = (request: Request, serverContext: object) => {
      const operation = operations.get(request);
      if (operation === undefined) return;
      operations.delete(request);
      const results = getRequestState(serverContext)?.results ?? [];
      if (results.length > 0) operation.span.setAttribute(RESULT_ATTRIBUTE, results.join(','));
      const failure = results.find(isFailureResult);
      if (failure !== undefined) failed(operation.span, failure);
      operation.span.end();
    };
    let endpoint = '/graphql';
    return {
      onYogaInit({ yoga }) {
        endpoint = yoga.graphqlEndpoint;
      },
      // Probes (/ready, /metrics) and other paths make no trace.
      onRequest: ({ request }) => {
        const path = requestPath(request.url); // the query string is dropped, never read
        if (path !== endpoint) return;
        const method = HTTP_METHODS.has(request.method) ? request.method : '_OTHER';
        const parent = this.#propagator.extract(ROOT_CONTEXT, request.headers, headersGetter);
        // server.address/port left out: the resource says which host this is, and the Host header is the client's.
        const span = this.#tracer.startSpan(
          `${method} ${endpoint}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': endpoint, 'url.path': path, 'url.scheme': scheme(request.url) } },
          parent,
        );
        servers.set(request, span);
      },
      // The operation span runs from parse to the result; renamed `mutation CreateOtp` once parsed.
      onParse: ({ context }) => {
        const server = servers.get(context.request);
        if (server === undefined) return undefined;
        const parent = trace.setSpan(ROOT_CONTEXT, server);
        const span = this.#tracer.startSpan('GraphQL Operation', { kind: SpanKind.INTERNAL }, parent);
        const operation = { span, context: trace.setSpan(parent, span) };
        operations.set(context.request, operation);
        const state = getRequestState(context);
        if (state) state.traceContext = operation.context; // the PACE calls' parent
        return ({ result }) => {
          if (result instanceof Error || result === null) return;
          const definition = getOperationAST(result, context.params?.operationName);
          if (definition === null || definition === undefined) return;
          const name = definition.name?.value;
          span.setAttribute('graphql.operation.type', definition.operation);
          if (name !== undefined) span.setAttribute('graphql.operation.name', name);
          span.updateName(name === undefined ? definition.operation : `${definition.operation} ${name}`);
        };
      },
      onResultProcess: ({ request, serverContext }) => endOperation(request, serverContext),
      onResponse: ({ request, response, serverContext }) => {
        endOperation(request, serverContext); // a request that ended without a result (an exception)
        const span = servers.get(request);
        if (span === undefined) return;
        span.setAttribute('http.response.status_code', response.status);
        const results = getRequestState(serverContext)?.results ?? [];
        if (results.length > 0) span.setAttribute(RESULT_ATTRIBUTE, results.join(','));
        // A 4xx is the caller's mistake, not this server's failure.
        if (response.status >= 500) failed(span, String(response.status));
        span.end();
      },
    };
  }
}

const noSpan = (): void => undefined;

/** Marks the span failed with a code only: messages can quote what a client or upstream sent. */
function failed(span: Span, errorType: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
}

function scheme(url: string): string {
  return url.startsWith('https:') ? 'https' : 'http';
}

function port(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}
