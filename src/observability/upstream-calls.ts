/**
 * What the gateway attaches to every PACE call, handed to the PaceClient by createGateway: the
 * request id, the trace context (a CLIENT span when tracing is on, else the caller's traceparent
 * passed on), and, once the call settles, its outcome to the metrics and the request's log line.
 */
import type { UpstreamObserver } from '../upstream/client.js';
import type { GatewayMetrics } from './metrics.js';
import type { RequestState } from './request-state.js';
import type { Tracing } from './tracing.js';

export function observeUpstreamCalls(metrics: GatewayMetrics, tracing: Tracing | undefined): UpstreamObserver<RequestState> {
  return {
    onFetch({ method, origin, path, headers, context: state }) {
      headers['x-request-id'] = state.requestId;
      const span = tracing?.upstreamSpan(state.traceContext, method, origin, path, headers);
      if (span === undefined && state.traceparent !== undefined) headers['traceparent'] = state.traceparent;
      return (outcome) => {
        state.upstream = outcome;
        metrics.upstream(outcome);
        span?.end(outcome.status);
      };
    },
  };
}
