/** What every resolver gets: Yoga's request plus the gateway's per-request state. */
import type { YogaInitialContext } from 'graphql-yoga';
import type { RequestState } from './observability/request-state.js';
import type { CallerIdentifier } from './security/callers.js';
import type { PinGuard } from './security/pin-guard.js';
import type { PaceClient, UpstreamCall } from './upstream/client.js';

/** Put on Yoga's server context by useRequestState, once per request (the services are the gateway's, shared). */
export interface GatewayState {
  readonly pace: PaceClient<RequestState>;
  readonly pinGuard: PinGuard<RequestState>;
  readonly callers: CallerIdentifier;
  readonly requestState: RequestState;
}

export type GatewayContext = YogaInitialContext & GatewayState;

/** A PACE call on behalf of this request: the caller's token, and the request for the call's observer. */
export function upstreamCall(context: GatewayContext, authorization: string): UpstreamCall<RequestState> {
  return { authorization, context: context.requestState };
}
