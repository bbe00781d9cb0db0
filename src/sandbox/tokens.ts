/**
 * The sandbox's identity provider, shaped like PACE ID (a Keycloak realm `pace`): RS256 access tokens
 * with Keycloak's claims (`iss` = `<origin>/auth/realms/pace`, `sub`, `azp`, space-separated `scope`,
 * `typ: Bearer`, a `kid` in the header) and the key set a gateway verifies them with. Like Keycloak,
 * a rotation makes a new key the signing one and keeps the previous ones published for a while, so
 * tokens signed before it stay valid until then.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { DEVELOPMENT_KEY_PEM } from './development-key.js';

/** The realm's path; its issuer is the sandbox's origin followed by it. */
export const REALM_PATH = '/auth/realms/pace';
/** `npm run sandbox`'s default port, and the origin of the `DEMO` tokens' issuer. */
export const DEFAULT_SANDBOX_PORT = 4010;
/** The issuer of a sandbox on its default port: the `iss` of the `DEMO` tokens. */
export const SANDBOX_ISSUER = issuerOf(`http://127.0.0.1:${DEFAULT_SANDBOX_PORT}`);
/** How long a rotated-out key stays in the key set unless told otherwise (Keycloak keeps it until removed). */
export const DEFAULT_KEEP_PREVIOUS_MS = 10 * 60_000;

const ISSUED_AT = 1_704_067_200; // 2024-01-01T00:00:00Z
const EXPIRES_AT = 4_102_444_800; // 2100-01-01T00:00:00Z: demo tokens never expire in practice
const CLIENT_ID = 'pace-otp-sandbox';

export function issuerOf(origin: string): string {
  return `${origin}${REALM_PATH}`;
}

export interface TokenClaims {
  readonly sub: string;
  /** Space-separated OAuth scopes, as in PACE's access tokens. */
  readonly scope: string;
  readonly jti?: string;
  readonly iss?: string;
  readonly azp?: string;
  readonly iat?: number;
  readonly nbf?: number;
  readonly exp?: number;
}

interface SigningKey {
  readonly kid: string;
  readonly publicJwk: JsonWebKey;
  readonly publicPem: string;
  readonly sign: (payload: Record<string, unknown>) => string;
  /** When it leaves the key set (Infinity while it signs). */
  retiresAt: number;
}

/** The realm's keys: the first signs, all are published until they retire. Shared by every issuer view. */
export class RealmKeys {
  #keys: SigningKey[];

  constructor(privateKey: KeyObject) {
    this.#keys = [signingKey(privateKey)];
  }

  get active(): SigningKey {
    return this.#keys[0]!;
  }

  rotate(keepPreviousMs: number): string {
    const retiresAt = Date.now() + keepPreviousMs;
    for (const key of this.#keys) key.retiresAt = Math.min(key.retiresAt, retiresAt);
    this.#keys.unshift(signingKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey));
    return this.active.kid;
  }

  published(): readonly SigningKey[] {
    const now = Date.now();
    this.#keys = this.#keys.filter((key) => key.retiresAt > now);
    return this.#keys;
  }
}

function signingKey(privateKey: KeyObject): SigningKey {
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string };
  // RFC 7638 thumbprint: the fixed development key keeps its kid across restarts.
  const kid = hash('sha256', JSON.stringify({ e, kty: 'RSA', n }), 'base64url');
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const signer = createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256', kid });
  return { kid, publicJwk: { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e }, publicPem, sign: signer, retiresAt: Number.POSITIVE_INFINITY };
}

export class TokenIssuer {
  /** The `iss` of the tokens this issuer signs. */
  readonly issuer: string;
  readonly #realm: RealmKeys;

  /** A realm with a fresh random key (or the given one), signing for `issuer` (default SANDBOX_ISSUER). */
  constructor(options: { issuer?: string; privateKey?: KeyObject } = {}, realm?: RealmKeys) {
    this.issuer = options.issuer ?? SANDBOX_ISSUER;
    this.#realm = realm ?? new RealmKeys(options.privateKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  }

  /** The same realm (same keys, rotations included) signing tokens with another `iss`. */
  withIssuer(issuer: string): TokenIssuer {
    return new TokenIssuer({ issuer }, this.#realm);
  }

  /** A new signing key; the previous ones stay published for `keepPreviousMs` (0: removed at once). Returns the new kid. */
  rotate(keepPreviousMs = DEFAULT_KEEP_PREVIOUS_MS): string {
    return this.#realm.rotate(keepPreviousMs);
  }

  /** A signed access token (synchronous, so the demo tokens can be module constants). */
  sign(claims: TokenClaims): string {
    return this.#realm.active.sign({ exp: EXPIRES_AT, iat: ISSUED_AT, jti: randomUUID(), iss: this.issuer, typ: 'Bearer', azp: CLIENT_ID, ...claims });
  }

  /** The public key set, as served at …/protocol/openid-connect/certs. */
  jwks(): { keys: JsonWebKey[] } {
    return { keys: this.#realm.published().map((key) => key.publicJwk) };
  }

  /**
   * The token's claims when one of the realm's published keys signed it (RS256), it is current and its
   * `iss` is this realm at any origin (a sandbox answers under several host names), else undefined.
   */
  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.#verifier(token)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  readonly #verifier = createVerifier({
    key: async ({ header }: { header: { kid?: unknown } }) => {
      const key = this.#realm.published().find((candidate) => candidate.kid === header.kid);
      if (key === undefined) throw new Error('no published key has this kid');
      return key.publicPem;
    },
    algorithms: ['RS256'],
    allowedIss: new RegExp(`^https?://[^/]+${REALM_PATH}$`),
    requiredClaims: ['sub', 'exp'],
  });
}

/** The issuer of this process's demo tokens (signed with the fixed development key), and the default of every sandbox in it. */
export const SANDBOX_TOKENS = new TokenIssuer({ privateKey: createPrivateKey(DEVELOPMENT_KEY_PEM) });
