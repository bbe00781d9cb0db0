// Access tokens shaped as PACE ID (a Keycloak realm `pace`) issues them, one account per token.
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';

export const REALM_PATH = '/auth/realms/pace';
/** Where Keycloak publishes a realm's key set; the stub serves BENCH_JWKS there. */
export const CERTS_PATH = `${REALM_PATH}/protocol/openid-connect/certs`;
/** The realm's issuer as Keycloak writes it in `iss`: the origin it is reached at + /auth/realms/<realm>. */
export const issuerAt = (origin) => `${origin}${REALM_PATH}`;

const CLIENT_ID = 'pace-bench-app';
const SCOPE = 'openid profile email user:otp:create offline_access';
// Keycloak's default access-token lifespan is 5 minutes; a pre-signed token may wait longer than that
// for its turn in a long run, so these live an hour (a realm setting, not a property of the tokens).
const LIFETIME_SECONDS = 3600;

const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }); // Keycloak's default RS256 key size
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const SIGNERS = {
  RS256: { kid: 'bench-rs256', key: rsa.privateKey, options: {} },
  ES256: { kid: 'bench-es256', key: ec.privateKey, options: { dsaEncoding: 'ieee-p1363' } },
};

/** The key set the stub serves at CERTS_PATH: both keys, each naming its algorithm, as Keycloak's does. */
export const JWKS = JSON.stringify({
  keys: [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: SIGNERS.RS256.kid, alg: 'RS256', use: 'sig' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: SIGNERS.ES256.kid, alg: 'ES256', use: 'sig' },
  ],
});

function signingInput(alg, issuer, sub) {
  const iat = Math.floor(Date.now() / 1000);
  const header = { alg, typ: 'JWT', kid: SIGNERS[alg].kid };
  const claims = { exp: iat + LIFETIME_SECONDS, iat, jti: randomUUID(), iss: issuer, sub, typ: 'Bearer', azp: CLIENT_ID, scope: SCOPE };
  return `${b64url(header)}.${b64url(claims)}`;
}

/** A realm access token of account `sub`, signed with node:crypto (RS256 costs ~0.5 ms here, ES256 ~0.1 ms). */
export function signedToken(alg, issuer, sub) {
  const input = signingInput(alg, issuer, sub);
  const { key, options } = SIGNERS[alg];
  return `${input}.${sign('sha256', Buffer.from(input), { key, ...options }).toString('base64url')}`;
}

// The targets that do not verify tokens get the same shape and size, with a signature nobody checks,
// so that every target parses the same header and only gateway-verified* pay the signature check.
const UNCHECKED_SIGNATURE = randomBytes(256).toString('base64url');
export const unverifiedToken = (issuer, sub) => `${signingInput('RS256', issuer, sub)}.${UNCHECKED_SIGNATURE}`;

/** The fastest rate (req/s) a gateway target has run at so far: a verified target may be as fast as the plain gateway. */
let fastestRate = 0;
export const sawRate = (reqPerSec) => {
  fastestRate = Math.max(fastestRate, reqPerSec || 0);
};
/** Tokens signed per timed second, as a multiple of the fastest rate: rounds here vary by ±50 %. */
const HEADROOM = 1.6;

/**
 * Signed tokens made before a timed run, each used once. Signing RS256 per request in autocannon's
 * setupRequest would cost the load generator ~0.5 ms a request and cap the load below what the gateway
 * can take; `fill` signs ahead of the run instead (the server under test idles meanwhile). A pool that
 * ran dry starved its target (the load generator signed inline, the target idled and spent more CPU
 * per request), so it is sized generously: for the fastest rate of any gateway target so far (or
 * `initialRate` before any run), never less, with HEADROOM. Each token is a new account
 * (`nextAccount`), so every request is still a new account and a new token. If it runs dry anyway,
 * it signs inline and says how often (`settle`), and the report flags that run.
 */
export class TokenPool {
  #tokens = [];
  #next = 0;
  #inline = 0;

  /** `initialRate`: req/s to size for before any run has been seen, and the least it ever sizes for. */
  constructor({ alg, issuer, nextAccount, initialRate = 4000 }) {
    if (!SIGNERS[alg]) throw new Error(`TokenPool: alg must be one of ${Object.keys(SIGNERS).join(', ')}, got ${alg}`);
    Object.assign(this, { alg, issuer, nextAccount, initialRate });
  }

  /** Sign until enough unused tokens are held for `seconds` at the fastest rate seen (× HEADROOM); returns how many were signed. */
  fill({ seconds, connections }) {
    this.#tokens = this.#tokens.slice(this.#next);
    this.#next = 0;
    const wanted = Math.ceil(Math.max(fastestRate, this.initialRate) * seconds * HEADROOM) + connections;
    const signed = Math.max(0, wanted - this.#tokens.length);
    for (let i = 0; i < signed; i++) this.#tokens.push(signedToken(this.alg, this.issuer, `bench-user-${this.nextAccount()}`));
    this.#inline = 0;
    return signed;
  }

  /** The next unused token; `account` names the one to sign for if the pool is empty. */
  take(account) {
    if (this.#next < this.#tokens.length) return this.#tokens[this.#next++];
    this.#inline++;
    return signedToken(this.alg, this.issuer, `bench-user-${account}`);
  }

  /** After a run: how many tokens had to be signed inline (the run's req/s is then a floor). */
  settle() {
    return this.#inline;
  }
}
