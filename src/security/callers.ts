/**
 * Who is calling: the account the PIN guard counts against, and the token's scopes when it was
 * verified here. Two ways to tell, chosen by configuration:
 * - UnverifiedCallers (no PACE_TOKEN_ISSUER): the JWT `sub` read without checking the signature, else a
 *   hash of the token. PACE rejects a forged token, so it never counts as a failure; but while PACE
 *   takes to reject it, it holds one of that account's slots (see ./pin-guard.ts).
 * - VerifiedCallers (PACE_TOKEN_ISSUER, optionally PACE_JWKS_URL): signature, algorithm, exp/nbf,
 *   iss and sub checked against the identity provider's key set before anything else; see ./token-verifier.ts.
 * Keys are hashed, so the guard's store holds neither tokens nor user ids.
 */
import { hash } from 'node:crypto';

export interface Caller {
  /** The account's key in the guard's store. */
  readonly account: string;
  /** The token's scopes, when verified here; undefined when only PACE can tell. */
  readonly scopes: ReadonlySet<string> | undefined;
}

export interface CallerIdentifier {
  /** The caller behind a bearer token; throws UnauthenticatedError/AuthUnavailableError when verifying. */
  identify(token: string): Caller | Promise<Caller>;
  /** False until tokens can be verified (the key set has loaded once): /ready answers 503 until then. */
  isReady(): boolean;
  /** False while the identity provider did not answer the last fetch of its key set (held keys still verify): `tokenKeys` DOWN. */
  isReachable(): boolean;
  close(): void;
}

/** The guard's key for an account: its `sub` when known, else the token itself. */
export function accountKey(subject: string | undefined, token: string): string {
  return hash('sha256', subject === undefined ? `token:${token}` : `sub:${subject}`, 'base64url');
}

export class UnverifiedCallers implements CallerIdentifier {
  // No cache: the decode and the hash cost a few microseconds, while a cache of distinct tokens (a
  // new user per request) kept thousands of dying entries alive into the old generation, for the
  // garbage collector to sweep (docs/performance.md).
  identify(token: string): Caller {
    return { account: accountKey(unverifiedSubject(token), token), scopes: undefined };
  }

  isReady(): boolean {
    return true;
  }

  isReachable(): boolean {
    return true;
  }

  close(): void {}
}

/** The `sub` of a JWT, decoded, not verified; undefined for anything else. */
export function unverifiedSubject(token: string): string | undefined {
  // Three dot-separated parts; only the middle one is read (an RS256 signature alone is ~340 characters).
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    const sub = (payload as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Token -> value until a deadline (a verified token's `exp`). Bounded in count (each entry a digest
 * and the value), oldest first out, so a flood of distinct tokens cannot grow it; tokens over
 * MAX_TOKEN_LENGTH are not remembered.
 */
export class TokenCache<V> {
  static readonly MAX_ENTRIES = 10_000;
  static readonly MAX_TOKEN_LENGTH = 4_096;
  // Keyed by the token's digest, not the token: a cache that holds 10,000 tokens of ~1 KB each keeps
  // ~10 MB of strings alive long enough to reach the old generation, where each evicted one is work for
  // the full garbage collector (docs/performance.md); a digest is 43 characters.
  readonly #entries = new Map<string, { readonly value: V; readonly until: number }>();
  // identify() looks a token up and then stores it: the digest is made once for both.
  #lastToken: string | undefined;
  #lastKey = '';

  get(token: string): V | undefined {
    const key = this.#key(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(token: string, value: V, until: number): void {
    if (token.length > TokenCache.MAX_TOKEN_LENGTH) return;
    if (this.#entries.size >= TokenCache.MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(this.#key(token), { value, until });
  }

  #key(token: string): string {
    if (token !== this.#lastToken) {
      this.#lastToken = token;
      this.#lastKey = hash('sha256', token, 'base64url');
    }
    return this.#lastKey;
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
