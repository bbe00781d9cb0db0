/**
 * Access tokens verified against PACE's identity provider (PACE_JWKS_URL, PACE_TOKEN_ISSUER) with
 * jose: signature, exp/nbf and iss, before the guard or PACE sees the token. jose caches the key set,
 * refetches it for an unknown `kid` (at most once per cooldown) and when it is older than its max age.
 *
 * A token that fails is the caller's problem (Unauthenticated); a key set that cannot be loaded is
 * ours (AUTH_UNAVAILABLE, /ready 503): never a silent fall back to unverified tokens. While the key
 * set is unavailable, requests fail fast and one background reload per interval tries again, so a
 * flood of requests does not become a flood of key-set fetches.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { AuthUnavailableError, UnauthenticatedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ThrottledErrorLog } from '../observability/throttled-log.js';
import { accountKey, TokenCache, type Caller, type CallerIdentifier } from './callers.js';

export interface VerifiedCallersOptions {
  readonly jwksUrl: URL;
  readonly issuer: string;
  readonly logger: Logger;
  /** Between attempts to load an unavailable key set; default 2 s. */
  readonly retryIntervalMs?: number;
}

/** Between two fetches of the key set for an unknown kid. */
export const KEY_SET_COOLDOWN_MS = 5_000;

/** Leeway for exp/nbf against clock skew between PACE's identity provider and this host. */
export const CLOCK_TOLERANCE_SECONDS = 30;

// jose's codes for a token that is bad in itself; any other failure is the key set's.
const TOKEN_PROBLEMS = new Set([
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

export class VerifiedCallers implements CallerIdentifier {
  readonly #keySet: ReturnType<typeof createRemoteJWKSet>;
  readonly #issuer: string;
  readonly #retryIntervalMs: number;
  readonly #errors: ThrottledErrorLog;
  // The hot path verifies each token once: a verified token is remembered until its exp.
  readonly #verified = new TokenCache<Caller>();
  #available = false;
  #loading: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor({ jwksUrl, issuer, logger, retryIntervalMs = 2_000 }: VerifiedCallersOptions) {
    if (!(jwksUrl instanceof URL) || !['http:', 'https:'].includes(jwksUrl.protocol)) throw new TypeError('VerifiedCallers: jwksUrl must be an http(s) URL');
    if (typeof issuer !== 'string' || issuer === '') throw new TypeError('VerifiedCallers: issuer must be a non-empty string');
    // An unknown kid (a key rotation) refetches at most once per cooldown: a flood of made-up kids
    // cannot become a flood of fetches. Keys are refetched at least every 10 minutes (jose's default).
    this.#keySet = createRemoteJWKSet(jwksUrl, { timeoutDuration: 3_000, cooldownDuration: KEY_SET_COOLDOWN_MS });
    this.#issuer = issuer;
    this.#retryIntervalMs = retryIntervalMs;
    this.#errors = new ThrottledErrorLog(logger, 'PACE_JWKS_URL: the key set cannot be loaded, tokens cannot be verified');
    this.#load();
  }

  async identify(token: string): Promise<Caller> {
    const cached = this.#verified.get(token);
    if (cached !== undefined) return cached;
    if (!this.#available) await this.#loading; // the first load at start, or a retry under way
    if (!this.#available) throw new AuthUnavailableError();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keySet, { issuer: this.#issuer, clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['sub', 'exp'] }));
    } catch (error) {
      if (TOKEN_PROBLEMS.has((error as { code?: string }).code ?? '')) throw new UnauthenticatedError();
      this.#unavailable(error);
      throw new AuthUnavailableError(error);
    }
    const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
    const caller: Caller = { account: accountKey(payload.sub, token), scopes: new Set(scope.split(' ').filter(Boolean)) };
    this.#verified.set(token, caller, payload.exp! * 1000);
    return caller;
  }

  isReady(): boolean {
    return this.#available;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  #load(): void {
    this.#loading = this.#keySet.reload().then(
      () => {
        this.#available = true;
      },
      (error: unknown) => this.#unavailable(error),
    );
  }

  #unavailable(error: unknown): void {
    this.#available = false;
    const { code, message } = error as { code?: unknown; message?: unknown };
    this.#errors.report(typeof code === 'string' ? code : 'FETCH_FAILED', String((error as { cause?: { code?: unknown } }).cause?.code ?? message));
    if (this.#retry === undefined && !this.#closed) {
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#load();
      }, this.#retryIntervalMs).unref();
    }
  }
}
