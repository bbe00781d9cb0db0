/**
 * `POST /sandbox/reset-lockout` with the embedded sandbox only (`npm start` without PACE_API_URL,
 * which production refuses): clears the PIN guard's failure count of the caller's account, so the
 * `RateLimited` row of the README can be tried and undone without restarting (a restart would also
 * forget nothing useful: the lock-out is all there is to reset). The token is verified as for
 * createOtp; the answer never holds it.
 */
import type { Plugin } from 'graphql-yoga';
import { bearerAuthorization, bearerToken } from './auth.js';
import type { CallerIdentifier } from './security/callers.js';
import type { GuardStore } from './security/guard-store.js';
import { requestPath } from './request-path.js';

export const LOCKOUT_RESET_PATH = '/sandbox/reset-lockout';

export interface LockoutResetOptions {
  readonly callers: CallerIdentifier;
  readonly store: GuardStore;
  readonly pinFailureWindowSeconds: number;
}

export function useSandboxLockoutReset({ callers, store, pinFailureWindowSeconds }: LockoutResetOptions): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (requestPath(request.url) !== LOCKOUT_RESET_PATH) return undefined;
      const answer = (status: number, body: Record<string, unknown>) =>
        endResponse(fetchAPI.Response.json(body, { status, headers: { 'cache-control': 'no-store' } }));
      if (request.method !== 'POST') return answer(405, { error: 'POST with Authorization: Bearer <token of the account to unlock>' });
      return Promise.resolve()
        .then(() => callers.identify(bearerToken(bearerAuthorization(request.headers.get('authorization')))))
        // A success ends every count of the account: the store's own way to clear it (a new random slot, none in flight).
        .then(({ account }) => store.end(account, `reset-${Date.now()}`, 'success', pinFailureWindowSeconds))
        .then(
          () => answer(200, { reset: true }),
          () => answer(401, { reset: false, error: 'Authorization: Bearer <a sandbox token> is missing or not valid' }),
        );
    },
  };
}
