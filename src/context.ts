/** What every resolver gets: Yoga's request plus the gateway's per-request state. */
import type { YogaInitialContext } from 'graphql-yoga';
import type { GatewayMetrics } from './observability/metrics.js';
import type { RequestState } from './observability/request-state.js';
import type { CallerIdentifier } from './security/callers.js';
import type { PinGuard } from './security/pin-guard.js';
import type { PaceClient, UpstreamCall, UpstreamEvent } from './upstream/client.js';

/** Made by createGateway's context factory, once per request. */
export interface GatewayState {
  readonly pace: PaceClient;
  readonly pinGuard: PinGuard;
  readonly callers: CallerIdentifier;
  readonly metrics: GatewayMetrics;
  readonly requestState: RequestState;
}

export type GatewayContext = YogaInitialContext & GatewayState;

/** The facts of this request that go upstream with a call, and where the call's one event goes. */
export function upstreamCall(context: GatewayContext, authorization: string): UpstreamCall {
  const state = context.requestState;
  const report = (event: UpstreamEvent) => {
    state.upstream = event; // the request log line
    context.metrics.upstream(event);
  };
  return { authorization, requestId: state.requestId, traceparent: state.traceparent, traceContext: state.traceContext, report };
}
