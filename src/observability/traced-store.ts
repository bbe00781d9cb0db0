/**
 * The PIN guard's store with a CLIENT span around each admission (tracing on, a shared store):
 * made per request by createGateway, whose request is the span's parent. The store and the guard
 * know nothing of tracing.
 */
import type { FailureStore } from '../security/failure-store.js';
import type { Tracing } from './tracing.js';

/** No key, slot or argument in the span: only what kind of call it is. */
const REDIS_SPAN = { 'db.system.name': 'redis', 'db.operation.name': 'EVAL' } as const;

export function tracedGuardStore(store: FailureStore, tracing: Tracing, parent: unknown): FailureStore {
  return {
    begin: (account, slot, limit, windowSeconds) => tracing.withSpan('pin-guard begin', REDIS_SPAN, () => store.begin(account, slot, limit, windowSeconds), parent),
    end: (account, slot, outcome, windowSeconds) => store.end(account, slot, outcome, windowSeconds),
    checkReady: () => store.checkReady(),
    close: () => store.close(),
  };
}
