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
 * Token -> value until a deadline (a verified token's `exp`), for tokens seen more than once. Bounded
 * in count (each entry a digest and the value), oldest first out, so a flood of distinct tokens cannot
 * grow it; tokens over MAX_TOKEN_LENGTH are not remembered.
 *
 * A token is stored at its second sighting, not its first: with a new user per request every entry
 * stored at first sight was evicted unread, after living long enough (10,000 entries) to reach the old
 * generation, where each is work for the full garbage collector; and each token cost a sha256 digest
 * for a lookup that never answered (docs/performance.md, "Token verification"). First sightings are
 * a fingerprint of the token's last characters (a JWS's signature) in a fixed table that is simply
 * overwritten: a miss there costs one more verification, never a wrong answer, as entries are still
 * looked up by the whole token's digest.
 */
export class TokenCache<V> {
  static readonly MAX_ENTRIES = 10_000;
  static readonly MAX_TOKEN_LENGTH = 4_096;
  static readonly SEEN_SLOTS = 1 << 14; // 64 KiB, a typed array: nothing for the garbage collector to trace
  // Keyed by the token's digest, not the token: 10,000 tokens of ~1 KB each would be ~10 MB of strings; a digest is 43 characters.
  readonly #entries = new Map<string, { readonly value: V; readonly until: number }>();
  readonly #seen = new Int32Array(TokenCache.SEEN_SLOTS);
  // identify() looks a token up and then stores it: the digest is made once for both.
  #lastToken: string | undefined;
  #lastKey = '';

  get(token: string): V | undefined {
    if (!this.#seenBefore(token)) return undefined; // never stored: no digest needed
    const key = this.#key(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /** Remembers the token's first sighting; stores it from the second on. */
  set(token: string, value: V, until: number): void {
    if (token.length > TokenCache.MAX_TOKEN_LENGTH) return;
    const print = fingerprint(token);
    const slot = print & (TokenCache.SEEN_SLOTS - 1);
    if (this.#seen[slot] !== print) {
      this.#seen[slot] = print; // its first sighting
      return;
    }
    if (this.#entries.size >= TokenCache.MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(this.#key(token), { value, until });
  }

  #seenBefore(token: string): boolean {
    const print = fingerprint(token);
    return this.#seen[print & (TokenCache.SEEN_SLOTS - 1)] === print;
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

/** FNV-1a of the last 24 characters (a JWS's signature, which differs per token), never 0 (an empty slot). */
function fingerprint(token: string): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, token.length - 24); i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h | 1;
}
