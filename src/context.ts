/** What every resolver gets: Yoga's request plus the gateway's per-request state. */
import type { YogaInitialContext } from 'graphql-yoga';
import type { PaceClient, UpstreamTrace } from './upstream/client.js';

/** Made by createGateway's context factory, once per request. */
export interface GatewayState {
  readonly pace: PaceClient;
  /** Filled by the upstream client; read by the request log line. */
  readonly upstreamTrace: UpstreamTrace;
}

export type GatewayContext = YogaInitialContext & GatewayState;
