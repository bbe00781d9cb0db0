/** Prometheus metrics (requests by result type, upstream latency by operation and status, compiled documents) and their /metrics endpoint. */
import type { RequestListener } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { requestPath } from '../request-path.js';
import type { UpstreamOutcome } from '../upstream/client.js';

/**
 * The gateway's own metrics. The process's (CPU, memory, event-loop delay, GC) are the host's to add,
 * once per process (`{ processMetrics: true }`, as the server does): prom-client starts monitors for
 * them that nothing can stop, so a host that rebuilds gateways must not start them per gateway.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'pace_otp_gateway_requests_total',
    help: 'GraphQL requests by result type (Otp, InvalidCredentials, UPSTREAM_TIMEOUT, …) and HTTP status.',
    labelNames: ['result', 'status'] as const,
    registers: [this.registry],
  });
  readonly #upstream = new Histogram({
    name: 'pace_otp_gateway_upstream_duration_seconds',
    help: 'PACE API call latency by operation and HTTP status (or error code when no answer arrived).',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly #compiles = new Counter({
    name: 'pace_otp_gateway_documents_compiled_total',
    help: 'Documents compiled by graphql-jit after repeated executions, by result (compiled, or not_compilable: run by graphql-js).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  // Label children bound once per label values: inc()/observe() then skip prom-client's label hashing.
  readonly #requestChildren = new Map<string, Counter.Internal>();
  readonly #upstreamChildren = new Map<string, Histogram.Internal<'operation' | 'status'>>();

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  request(result: string, status: number): void {
    labelChild(this.#requestChildren, this.#requests, result, status).inc();
  }

  /** One compile attempt of a repeated document. */
  documentCompiled(compiled: boolean): void {
    this.#compiles.inc({ result: compiled ? 'compiled' : 'not_compilable' });
  }

  /** Times one upstream call. */
  upstream(outcome: UpstreamOutcome): void {
    labelChild(this.#upstreamChildren, this.#upstream, outcome.operation, outcome.status).observe(outcome.durationMs / 1000);
  }
}

/** The metric's child for two label values, from `children` or bound there on first use. */
function labelChild<C>(children: Map<string, C>, metric: { labels(...values: string[]): C }, first: string, second: string | number): C {
  const key = `${first} ${second}`;
  let child = children.get(key);
  if (child === undefined) {
    child = metric.labels(first, String(second));
    children.set(key, child);
  }
  return child;
}

/** `GET /metrics` (and HEAD) with the API, when METRICS_PORT does not give it a listener of its own. */
export function useMetricsEndpoint(metrics: GatewayMetrics): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (requestPath(request.url) !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined;
      return metrics.registry.metrics().then((text) => {
        endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : text, { headers: { 'content-type': metrics.registry.contentType } }));
      });
    },
  };
}

/** `GET /metrics` (and HEAD) for a listener of its own (METRICS_PORT); anything else is 404. */
export function metricsListener(metrics: GatewayMetrics): RequestListener {
  return (request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => response.writeHead(500).end(),
    );
  };
}
