/**
 * The gateway's edges in one Yoga plugin: /ready and /metrics, the security headers every response
 * carries, the x-request-id echo, and one log line plus one metric per request.
 */
import { Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from './metrics.js';
import { requestState, trackedRequestState, type RequestState } from './request-state.js';

export interface ObservabilityOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** False while starting or shutting down, or when a dependency (Redis) is not usable. */
  readonly isReady: () => boolean | Promise<boolean>;
  /** False when /metrics has a listener of its own (METRICS_PORT): then it is not exposed with the API. */
  readonly serveMetrics?: boolean;
}

/** Operation names are the client's text: a log line keeps at most this many characters of one. */
export const MAX_LOGGED_OPERATION_NAME = 100;

export function useObservability({ logger, metrics, isReady, serveMetrics = true }: ObservabilityOptions): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const probe = request.method === 'GET' || request.method === 'HEAD'; // HEAD: the same answer without a body
      const body = (text: string) => (request.method === 'HEAD' ? null : text);
      if (probe && url.pathname === '/ready') {
        return Promise.resolve(isReady()).then((ready) => {
          endResponse(new fetchAPI.Response(body(ready ? 'ready' : 'not ready'), { status: ready ? 200 : 503 }));
        });
      }
      if (probe && serveMetrics && url.pathname === '/metrics') {
        return metrics.registry.metrics().then((text) => {
          endResponse(new fetchAPI.Response(body(text), { headers: { 'content-type': metrics.registry.contentType } }));
        });
      }
      requestState(request); // starts the clock and fixes the request id
      return undefined;
    },
    onExecute({ args }) {
      // The name the client gave, else the one in the document (clients often send only the query).
      const state = (args.contextValue as { requestState?: RequestState }).requestState;
      const name = args.operationName ?? operationName(args.document);
      if (state) state.operationName = name !== undefined && name.length > MAX_LOGGED_OPERATION_NAME ? `${name.slice(0, MAX_LOGGED_OPERATION_NAME)}…` : name;
    },
    onResultProcess({ request, result }) {
      // Requests refused before execution (parse, validation, limits) have no resolver result.
      const state = trackedRequestState(request);
      if (state && state.results.length === 0 && !Array.isArray(result) && 'errors' in result && result.errors?.length) {
        const code = result.errors[0]?.extensions?.['code'];
        state.results.push(typeof code === 'string' ? code : 'GRAPHQL_REQUEST_ERROR');
      }
    },
    onResponse({ request, response }) {
      // May hold an OTP: no proxy or browser may keep it, and no browser may guess its type. Only
      // GraphiQL's content-hashed files say otherwise (immutable).
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
      response.headers.set('x-content-type-options', 'nosniff');
      // Probes, /health and the GraphiQL page never started a request state: no log line for them.
      const state = trackedRequestState(request);
      if (state === undefined) return;
      response.headers.set('x-request-id', state.requestId);
      const result = state.results.length === 0 ? 'none' : state.results.join(',');
      metrics.request(result, response.status);
      logger.info(
        {
          requestId: state.requestId,
          operationName: state.operationName,
          result,
          status: response.status,
          upstreamStatus: state.upstream.status,
          upstreamMs: state.upstream.durationMs === undefined ? undefined : Math.round(state.upstream.durationMs),
          upstreamCause: state.upstream.cause,
          durationMs: Math.round(performance.now() - state.startedAt),
        },
        'request',
      );
    },
  };
}

function operationName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}
