/** What the gateway knows about one HTTP request, from its first byte to its log line. */
import { randomUUID } from 'node:crypto';
import { CodedError, ResultError } from '../errors.js';
import type { UpstreamEvent } from '../upstream/client.js';

export interface RequestState {
  readonly requestId: string;
  readonly startedAt: number;
  readonly traceparent: string | undefined;
  operationName?: string | undefined;
  /** Result type per resolved root field: `Otp`, `InvalidCredentials`, `UPSTREAM_TIMEOUT`, … */
  readonly results: string[];
  /** The last upstream call's event, for the log line. */
  upstream?: UpstreamEvent | undefined;
  /** The OpenTelemetry context of this request's operation (tracing on): the parent of its PACE calls. */
  traceContext?: unknown;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const states = new WeakMap<Request, RequestState>();

/**
 * The state of this request, or undefined when the gateway does not track it (probes, /health, the
 * GraphiQL page end before the request log's onRequest). Read-only access: only startRequestState makes one.
 */
export function getRequestState(request: Request): RequestState | undefined {
  return states.get(request);
}

/**
 * Starts tracking a request: the clock, and the request id (a caller's x-request-id is kept when
 * well-formed). Called once, by the request log's onRequest (./request-log.ts).
 */
export function startRequestState(request: Request): RequestState {
  const incomingId = request.headers.get('x-request-id');
  const traceparent = request.headers.get('traceparent');
  const state: RequestState = {
    requestId: incomingId !== null && REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
    startedAt: performance.now(),
    traceparent: traceparent !== null && TRACEPARENT.test(traceparent) ? traceparent : undefined,
    results: [],
  };
  states.set(request, state);
  return state;
}

/**
 * Records what a root field resolved to, as the client sees it: the success type, the union member
 * of a ResultError (its typeName), or a coded error's code.
 */
export async function recordResult<T>(state: RequestState, successType: string, result: Promise<T>): Promise<T> {
  try {
    const value = await result;
    state.results.push(successType);
    return value;
  } catch (error) {
    state.results.push(
      error instanceof ResultError ? error.typeName : error instanceof CodedError ? error.code : 'INTERNAL_SERVER_ERROR',
    );
    throw error;
  }
}
