/**
 * Access tokens verified against PACE's identity provider (PACE_TOKEN_ISSUER, its key set found
 * through discovery unless PACE_JWKS_URL names it): signature, algorithm, exp/nbf, iss and sub, before
 * the guard or PACE sees the token. fast-jwt verifies with node:crypto; one verifier per key is built
 * when the key set is loaded. The key set is refetched for an unknown `kid` (at most once per
 * cooldown, so a flood of made-up kids is not a flood of fetches) and when it is older than 10 minutes.
 *
 * Availability: until the key set has loaded once (with a usable key), every token is
 * AUTH_UNAVAILABLE, /ready says 503 and a background reload tries again per interval; never a silent
 * fall back to unverified tokens. After that, a failed refetch is the problem of the token that asked
 * for it (AUTH_UNAVAILABLE for that request only): the keys already held keep verifying every other
 * token, so an identity-provider outage does not take the replicas down.
 */
import { createVerifier } from 'fast-jwt';
import { AuthUnavailableError, KeySetError, UnauthenticatedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ThrottledErrorLog } from '../observability/throttled-log.js';
import { accountKey, TokenCache, type Caller, type CallerIdentifier } from './callers.js';
import { ASYMMETRIC_ALGORITHMS, fetchSigningKeys, resolveKeySetUrl, type SigningKey } from './key-set.js';

export interface VerifiedCallersOptions {
  /** The `iss` every token must carry; its discovery document names the key set unless `jwksUrl` does. */
  readonly issuer: string;
  readonly jwksUrl?: URL | undefined;
  readonly logger: Logger;
  /** Between attempts to load the key set until it has loaded once; default 2 s. */
  readonly retryIntervalMs?: number;
}

/** Between two fetches of the key set for an unknown kid. */
export const KEY_SET_COOLDOWN_MS = 5_000;
/** The key set is refetched (in the background) once it is older than this. */
export const KEY_SET_MAX_AGE_MS = 10 * 60_000;
/** For each of the discovery document and the key set. */
export const KEY_SET_TIMEOUT_MS = 3_000;

/** Leeway for exp/nbf against clock skew between PACE's identity provider and this host. */
export const CLOCK_TOLERANCE_SECONDS = 30;

type Verify = (token: string) => Record<string, unknown>;
interface HeldKey extends SigningKey {
  readonly verify: Verify;
}

export class VerifiedCallers implements CallerIdentifier {
  readonly #issuer: string;
  readonly #jwksUrl: URL | undefined;
  readonly #retryIntervalMs: number;
  readonly #errors: ThrottledErrorLog;
  // A token used again is not verified again: remembered until its exp from its second sighting (see TokenCache).
  readonly #verified = new TokenCache<Caller>();
  #keySetUrl: URL | undefined;
  #keys: readonly HeldKey[] = [];
  #loadedOnce = false;
  #fetchedAt = Number.NEGATIVE_INFINITY; // the last attempt, for the cooldown
  #loadedAt = Number.NEGATIVE_INFINITY; // the last success, for the max age
  #lastFetchFailed = false;
  #fetching: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor({ issuer, jwksUrl, logger, retryIntervalMs = 2_000 }: VerifiedCallersOptions) {
    if (typeof issuer !== 'string' || issuer === '') throw new TypeError('VerifiedCallers: issuer must be a non-empty string');
    if (jwksUrl !== undefined && (!(jwksUrl instanceof URL) || !['http:', 'https:'].includes(jwksUrl.protocol))) {
      throw new TypeError('VerifiedCallers: jwksUrl must be an http(s) URL');
    }
    if (jwksUrl === undefined && !/^https?:\/\//.test(issuer)) throw new TypeError('VerifiedCallers: without jwksUrl, issuer must be an http(s) URL (its discovery document names the key set)');
    if (!Number.isInteger(retryIntervalMs) || retryIntervalMs <= 0) throw new TypeError('VerifiedCallers: retryIntervalMs must be a positive integer');
    this.#issuer = issuer;
    this.#jwksUrl = jwksUrl;
    this.#retryIntervalMs = retryIntervalMs;
    this.#errors = new ThrottledErrorLog(logger, 'the key set cannot be loaded (PACE_TOKEN_ISSUER / PACE_JWKS_URL): new tokens cannot all be verified');
    this.#firstLoad();
  }

  async identify(token: string): Promise<Caller> {
    const cached = this.#verified.get(token);
    if (cached !== undefined) return cached;
    if (!this.#loadedOnce) await this.#fetching?.catch(() => {}); // the first load at start, or a retry under way
    if (!this.#loadedOnce) throw new AuthUnavailableError();
    if (Date.now() - this.#loadedAt >= KEY_SET_MAX_AGE_MS && this.#mayFetch()) void this.#refetch().catch(() => {}); // logged in #fetch

    const header = readHeader(token);
    if (header === undefined || !ASYMMETRIC_ALGORITHMS.has(header.alg)) throw new UnauthenticatedError();
    // The hot path stays synchronous: only an unknown kid waits for the key set.
    const key = this.#heldKey(header.kid, header.alg) ?? (header.kid === undefined ? undefined : await this.#fetchKey(header.kid, header.alg));
    if (key === undefined || !key.algorithms.includes(header.alg)) throw new UnauthenticatedError();

    let payload: Record<string, unknown>;
    try {
      payload = key.verify(token);
    } catch {
      throw new UnauthenticatedError(); // fast-jwt's TokenError: signature, algorithm, claims
    }
    const { sub, exp, typ, scope } = payload;
    // A `sub` that is not a string would key every such token to one account ("[object Object]").
    if (typeof sub !== 'string' || sub === '') throw new UnauthenticatedError();
    // Keycloak marks access tokens `typ: Bearer`; its ID and refresh tokens, signed by the same key, are not bearer tokens.
    if (typ !== undefined && typ !== 'Bearer') throw new UnauthenticatedError();
    const caller: Caller = { account: accountKey(sub, token), scopes: scopeSet(typeof scope === 'string' ? scope : '') };
    this.#verified.set(token, caller, (exp as number) * 1000);
    return caller;
  }

  isReady(): boolean {
    return this.#loadedOnce;
  }

  isReachable(): boolean {
    return !this.#lastFetchFailed;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  /** The held key the token names (by kid, else the only one for its alg). */
  #heldKey(kid: string | undefined, alg: string): HeldKey | undefined {
    return kid === undefined ? onlyOne(this.#keys.filter((key) => key.algorithms.includes(alg))) : this.#keys.find((key) => key.kid === kid);
  }

  /** An unknown kid: the key set is refetched, once per cooldown, and shared by the tokens waiting for it. */
  async #fetchKey(kid: string, alg: string): Promise<HeldKey | undefined> {
    if (this.#fetching === undefined && this.#mayFetch()) void this.#refetch().catch(() => {}); // awaited just below
    if (this.#fetching !== undefined) {
      try {
        await this.#fetching; // tokens of a new key arriving together share one fetch
      } catch (error) {
        throw new AuthUnavailableError(error); // this token's kid could not be looked up; the others are fine
      }
    } else if (this.#lastFetchFailed) {
      throw new AuthUnavailableError(); // the identity provider did not answer the last refetch: cannot tell yet
    }
    return this.#heldKey(kid, alg);
  }

  #mayFetch(): boolean {
    return Date.now() - this.#fetchedAt >= KEY_SET_COOLDOWN_MS;
  }

  /** One fetch at a time; the keys held stay until a fetch succeeds. */
  #refetch(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<void> {
    this.#fetchedAt = Date.now();
    try {
      this.#keySetUrl ??= await resolveKeySetUrl(this.#issuer, this.#jwksUrl, KEY_SET_TIMEOUT_MS);
      const keys = (await fetchSigningKeys(this.#keySetUrl, KEY_SET_TIMEOUT_MS)).map((key) => ({ ...key, verify: this.#verifierFor(key) }));
      // A key taken out of the set (a compromised one, say) no longer vouches for tokens it signed.
      if (this.#keys.some((held) => !keys.some((key) => key.pem === held.pem))) this.#verified.clear();
      this.#keys = keys;
      this.#loadedOnce = true;
      this.#loadedAt = Date.now();
      this.#lastFetchFailed = false;
    } catch (error) {
      this.#lastFetchFailed = true;
      const { reason, message } = error instanceof KeySetError ? error : { reason: 'FETCH_FAILED', message: String(error) };
      this.#errors.report(reason, message);
      if (this.#loadedOnce) this.#recover();
      throw error;
    }
  }

  /** After a failed refetch: tried again per interval in the background until it answers, so the outage ends on its own (and `tokenKeys` shows UP again). */
  #recover(): void {
    if (this.#retry !== undefined || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#lastFetchFailed) this.#refetch().catch(() => {}); // a failure schedules the next try
    }, this.#retryIntervalMs).unref();
  }

  #verifierFor(key: SigningKey): Verify {
    return createVerifier({
      key: key.pem,
      algorithms: key.algorithms as never,
      allowedIss: this.#issuer,
      requiredClaims: ['sub', 'exp', 'iss'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS * 1000,
    }) as Verify;
  }

  /** Until the key set has loaded once: retried per interval, each failure logged (throttled). */
  #firstLoad(): void {
    this.#refetch().catch(() => {
      if (this.#closed) return;
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#firstLoad();
      }, this.#retryIntervalMs).unref();
    });
  }
}

/** Scope sets by their text: tokens of one client carry the same few scope strings, so one set serves them all. */
const scopeSets = new Map<string, ReadonlySet<string>>();
const MAX_SCOPE_SETS = 1_000;

function scopeSet(scope: string): ReadonlySet<string> {
  let set = scopeSets.get(scope);
  if (set === undefined) {
    set = new Set(scope.split(' ').filter(Boolean));
    if (scopeSets.size < MAX_SCOPE_SETS) scopeSets.set(scope, set); // beyond that, made per token (and not kept here)
  }
  return set;
}

function onlyOne<T>(items: readonly T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}

/** The JOSE header's `alg` and `kid`, or undefined when the token is not a JWS in compact form. */
function readHeader(token: string): { alg: string; kid: string | undefined } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown } | null;
    if (typeof header?.alg !== 'string') return undefined;
    return { alg: header.alg, kid: typeof header.kid === 'string' ? header.kid : undefined };
  } catch {
    return undefined;
  }
}
