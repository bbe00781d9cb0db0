/**
 * What the gateway knows about one GraphQL request, from its first byte to its log line, and the
 * plugin that keeps it: the request id (a caller's well-formed x-request-id is kept, else a new one,
 * echoed on the response and sent to PACE), the clock, the incoming traceparent, the results.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { resultName } from '../errors.js';
import type { UpstreamOutcome } from '../upstream/client.js';

export interface RequestState {
  readonly requestId: string;
  readonly startedAt: number;
  /** The caller's W3C traceparent, when well-formed: passed on to PACE when the gateway does not trace. */
  readonly traceparent: string | undefined;
  operationName?: string | undefined;
  /** Result type per resolved root field: `Otp`, `InvalidCredentials`, `UPSTREAM_TIMEOUT`, … */
  readonly results: string[];
  /** The last upstream call's outcome, for the log line. */
  upstream?: UpstreamOutcome | undefined;
  /** The OpenTelemetry context of this request's operation (tracing on): the parent of its PACE calls. */
  traceContext?: unknown;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Yoga's server context: one object per request, which Yoga then hands to the resolvers as their context. */
interface WithRequestState {
  requestState?: RequestState;
}

/**
 * Starts the state of every request that reaches it (put it after the probes and pages, which end
 * theirs before) and echoes its id on the response. The state goes on Yoga's server context, with
 * `services` (what the resolvers call) beside it: the resolvers' context is then complete without a
 * `context` factory, whose extra envelop phase cost every request a chain of promise helpers.
 */
export function useRequestState(services: object): Plugin {
  return {
    onRequest({ request, serverContext }) {
      const incomingId = request.headers.get('x-request-id');
      const traceparent = request.headers.get('traceparent');
      const requestState: RequestState = {
        requestId: incomingId !== null && REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
        startedAt: performance.now(),
        traceparent: traceparent !== null && TRACEPARENT.test(traceparent) ? traceparent : undefined,
        results: [],
      };
      Object.assign(serverContext, services, { requestState });
    },
    onResponse({ serverContext, response }) {
      const state = getRequestState(serverContext);
      if (state !== undefined) response.headers.set('x-request-id', state.requestId);
    },
  };
}

/**
 * The state of this request, from its server context (or the GraphQL context, the same object), or
 * undefined when the gateway does not track it (probes, /health, the GraphiQL page end before
 * useRequestState sees them).
 */
export function getRequestState(context: object): RequestState | undefined {
  return (context as WithRequestState).requestState;
}

/** Records what a root field resolved to, as the client sees it (see resultName). */
export async function recordResult<T>(state: RequestState, successType: string, result: Promise<T>): Promise<T> {
  try {
    const value = await result;
    state.results.push(successType);
    return value;
  } catch (error) {
    state.results.push(resultName(error));
    throw error;
  }
}
