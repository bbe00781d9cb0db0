/**
 * The identity provider's signing keys. The key set's URL is PACE_JWKS_URL, else the `jwks_uri` of
 * the issuer's OpenID Connect discovery document (`<issuer>/.well-known/openid-configuration`, whose
 * `issuer` must equal ours exactly, as OpenID Connect Discovery §4.3 requires).
 *
 * Only asymmetric keys count, each for the algorithms it allows: its `alg`, else those of its `kty`
 * (and curve). Symmetric (`oct`) keys, encryption keys and keys that do not parse are left out, so
 * `none`, HS* and an `alg` the key does not allow never find a key.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { KeySetError } from '../errors.js';

export interface SigningKey {
  readonly kid: string | undefined;
  readonly algorithms: readonly string[];
  /** SPKI PEM, what fast-jwt verifies with. */
  readonly pem: string;
}

const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGORITHMS: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
/** Every algorithm some key may allow: anything else in a token header is refused before a key is looked up. */
export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([...RSA_ALGORITHMS, ...Object.values(EC_ALGORITHMS), 'EdDSA']);

const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** The key set's URL: PACE_JWKS_URL when given, else read from the issuer's discovery document. */
export async function resolveKeySetUrl(issuer: string, jwksUrl: URL | undefined, timeoutMs: number): Promise<URL> {
  if (jwksUrl !== undefined) return jwksUrl;
  const discoveryUrl = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const document = await fetchJson(discoveryUrl, timeoutMs, 'DISCOVERY_FAILED');
  const { issuer: named, jwks_uri: jwksUri } = (document ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
  if (named !== issuer) throw new KeySetError('ISSUER_MISMATCH', `the discovery document's issuer is ${JSON.stringify(named)}, not PACE_TOKEN_ISSUER`);
  let url: URL;
  try {
    url = new URL(String(jwksUri));
  } catch {
    throw new KeySetError('DISCOVERY_FAILED', 'the discovery document has no jwks_uri URL');
  }
  // An https issuer never hands out its keys over plain http.
  const allowed = issuer.startsWith('https:') ? ['https:'] : ['http:', 'https:'];
  if (!allowed.includes(url.protocol) || typeof jwksUri !== 'string') {
    throw new KeySetError('DISCOVERY_FAILED', `the discovery document's jwks_uri must be ${allowed.join(' or ')}`);
  }
  return url;
}

/** The usable keys of the key set at `url`; KeySetError when it cannot be fetched or holds none. */
export async function fetchSigningKeys(url: URL, timeoutMs: number): Promise<SigningKey[]> {
  const document = await fetchJson(url.href, timeoutMs, 'FETCH_FAILED');
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new KeySetError('FETCH_FAILED', 'the key set has no "keys" array');
  const usable = keys.flatMap((jwk: unknown) => signingKey(jwk) ?? []);
  if (usable.length === 0) throw new KeySetError('NO_USABLE_KEYS', `the key set holds no usable signing key (${keys.length} keys)`);
  return usable;
}

function signingKey(value: unknown): SigningKey | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const jwk = value as JsonWebKey & { kid?: unknown; use?: unknown; alg?: unknown };
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  const algorithms = algorithmsOf(jwk);
  const explicit = jwk.alg;
  const allowed = explicit === undefined ? algorithms : algorithms.filter((algorithm) => algorithm === explicit);
  if (allowed.length === 0) return undefined;
  try {
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    return { kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, algorithms: allowed, pem };
  } catch {
    return undefined; // not a key node:crypto can read (or a private one): left out
  }
}

function algorithmsOf(jwk: JsonWebKey): string[] {
  if (jwk.kty === 'RSA') return RSA_ALGORITHMS;
  if (jwk.kty === 'EC') return typeof jwk.crv === 'string' && EC_ALGORITHMS[jwk.crv] !== undefined ? [EC_ALGORITHMS[jwk.crv]!] : [];
  if (jwk.kty === 'OKP') return jwk.crv === 'Ed25519' || jwk.crv === 'Ed448' ? ['EdDSA'] : [];
  return []; // oct (a shared secret) and anything unknown
}

async function fetchJson(url: string, timeoutMs: number, reason: 'DISCOVERY_FAILED' | 'FETCH_FAILED'): Promise<unknown> {
  let text: string;
  try {
    // No redirects: the issuer's own URLs answer directly, and a redirect could leave TLS.
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new KeySetError(reason, `${new URL(url).pathname} answered HTTP ${response.status}`);
    }
    text = await response.text();
  } catch (error) {
    if (error instanceof KeySetError) throw error;
    const { name, cause } = error as { name?: string; cause?: { code?: unknown } };
    const why = name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(cause?.code ?? name ?? 'fetch failed');
    throw new KeySetError(reason, `${new URL(url).pathname}: ${why}`, { cause: error });
  }
  if (text.length > MAX_DOCUMENT_BYTES) throw new KeySetError(reason, `${new URL(url).pathname} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KeySetError(reason, `${new URL(url).pathname} did not answer JSON`);
  }
}
