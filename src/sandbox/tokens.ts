/**
 * The sandbox's identity provider: ES256 access tokens signed with a key made when the process
 * starts, and the JSON Web Key Set a gateway verifies them against (served at /.well-known/jwks.json).
 * Like a real identity provider it keeps retired keys in the set after a rotation, so tokens signed
 * before it stay valid.
 */
import { generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';

/** The `iss` of every sandbox token. */
export const SANDBOX_ISSUER = 'pace-otp-sandbox';
const ISSUED_AT = 1_704_067_200; // 2024-01-01T00:00:00Z
const EXPIRES_AT = 4_102_444_800; // 2100-01-01T00:00:00Z: demo tokens never expire in practice

export interface TokenClaims {
  readonly sub: string;
  /** Space-separated OAuth scopes, as in PACE's access tokens. */
  readonly scope: string;
  readonly jti?: string;
  readonly iss?: string;
  readonly iat?: number;
  readonly nbf?: number;
  readonly exp?: number;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
}

export class TokenIssuer {
  readonly #keys: SigningKey[] = [];

  constructor() {
    this.rotate();
  }

  /** A new signing key; the old ones stay in the key set. */
  rotate(): void {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomUUID();
    this.#keys.unshift({ kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } });
  }

  /** A signed access token (synchronous, so the demo tokens can be module constants). */
  sign(claims: TokenClaims): string {
    const key = this.#keys[0]!;
    const header = { alg: 'ES256', typ: 'JWT', kid: key.kid };
    const payload = { iss: SANDBOX_ISSUER, azp: 'pace-otp-sandbox', iat: ISSUED_AT, exp: EXPIRES_AT, jti: randomUUID(), ...claims };
    const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** The public key set, as served at /.well-known/jwks.json. */
  jwks(): { keys: JsonWebKey[] } {
    return { keys: this.#keys.map((key) => key.publicJwk) };
  }

  /** The token's claims when this issuer signed it and it is current, else undefined (PACE's 401). */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks() as Parameters<typeof createLocalJWKSet>[0]), { issuer: SANDBOX_ISSUER });
      return payload;
    } catch {
      return undefined;
    }
  }
}

/** The issuer of this process's demo tokens, and the default of every sandbox in it. */
export const SANDBOX_TOKENS = new TokenIssuer();

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
