/**
 * A CLIENT span around each PIN-guard admission in a shared store (Redis), child of the request's
 * operation: what createGateway hands the PinGuard as its observer when tracing is on. No key, slot
 * or argument in the span: only what kind of call it is.
 */
import type { AdmissionObserver } from '../security/pin-guard.js';
import type { RequestState } from './request-state.js';
import type { Tracing } from './tracing.js';

const REDIS_SPAN = { 'db.system.name': 'redis', 'db.operation.name': 'EVAL' } as const;

export function traceAdmissions(tracing: Tracing): AdmissionObserver<RequestState> {
  return { onAdmission: (state) => tracing.clientSpan('pin-guard begin', REDIS_SPAN, state?.traceContext) };
}
