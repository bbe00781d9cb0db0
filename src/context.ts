/** What every resolver gets: Yoga's request plus the gateway's per-request state. */
import type { YogaInitialContext } from 'graphql-yoga';
import type { RequestState } from './observability/request-state.js';
import type { CallerIdentifier } from './security/callers.js';
import type { PinGuard } from './security/pin-guard.js';
import type { PaceClient, UpstreamCall } from './upstream/client.js';

/** Made by createGateway's context factory, once per request. */
export interface GatewayState {
  readonly pace: PaceClient;
  readonly pinGuard: PinGuard;
  readonly callers: CallerIdentifier;
  readonly requestState: RequestState;
}

export type GatewayContext = YogaInitialContext & GatewayState;

/** The facts of this request that go upstream with a call. */
export function upstreamCall(context: GatewayContext, authorization: string): UpstreamCall {
  const { requestId, traceparent, upstream, traceContext } = context.requestState;
  return { authorization, requestId, traceparent, trace: upstream, traceContext };
}
