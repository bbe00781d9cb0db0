/**
 * Tokens verified against PACE ID (PACE_TOKEN_ISSUER, its key set found through discovery unless
 * PACE_JWKS_URL names it) before the guard or PACE see them. The real sandbox realm throughout; a
 * scripted server only for the faults the sandbox cannot produce (a broken discovery document).
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_SCOPES, DEMO, REALM_ROUTES, startSandbox, TokenIssuer, type RecordedRequest, type RunningSandbox } from '../src/sandbox/index.js';
import { CLOCK_TOLERANCE_SECONDS, KEY_SET_COOLDOWN_MS } from '../src/security/token-verifier.js';
import { freePort } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, listen, startGateway, type RunningGateway } from './helpers/servers.js';

const now = () => Math.floor(Date.now() / 1000);
const paceCalls = (received: RecordedRequest[]) => received.filter((request) => request.path.startsWith('/user/2024-1/'));
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A realm whose private key the test holds, to sign what the sandbox never would. */
function realm() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tokens = new TokenIssuer({ privateKey });
  const kid = String(tokens.jwks().keys[0]?.['kid']);
  return { privateKey, tokens, kid };
}

/** A compact JWS with any header and payload, signed as `how` says. */
function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, how: { key: KeyObject; digest: string; pss?: boolean } | { hmac: string | Buffer } | 'unsigned'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (how === 'unsigned') return `${input}.`;
  if ('hmac' in how) return `${input}.${createHmac('sha256', how.hmac).update(input).digest('base64url')}`;
  const options = how.pss ? { key: how.key, padding: 6, saltLength: 32 } : how.key.asymmetricKeyType === 'ec' ? { key: how.key, dsaEncoding: 'ieee-p1363' as const } : how.key;
  return `${input}.${sign(how.digest, Buffer.from(input), options).toString('base64url')}`;
}

async function waitReady(gateway: RunningGateway, status: number, withinMs = 8_000): Promise<void> {
  const started = Date.now();
  while ((await fetch(`${gateway.url}/ready`)).status !== status) {
    expect(Date.now() - started).toBeLessThan(withinMs);
    await sleep(100);
  }
}

const createOtp = async (gateway: RunningGateway, token: string, pin = DEMO.user.pin) =>
  (await graphql(gateway.url, CREATE_OTP, { variables: { input: { pin } }, headers: bearer(token) })).body;
const resultOf = async (gateway: RunningGateway, token: string, pin?: string) => {
  const body = await createOtp(gateway, token, pin);
  return (body.data?.['createOtp']?.__typename as string | undefined) ?? body.errors?.[0]?.extensions?.['code'];
};

describe('PACE_TOKEN_ISSUER alone: the key set comes from the discovery document', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let signer: ReturnType<typeof realm>;
  const received: RecordedRequest[] = [];
  beforeAll(async () => {
    signer = realm();
    sandbox = await startSandbox({ tokens: signer.tokens, onRequest: (request) => received.push(request) });
    gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: sandbox.issuer, PIN_MAX_FAILURES: '1' });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });
  beforeEach(() => void (received.length = 0));
  const claims = () => ({ iss: sandbox.issuer, sub: DEMO.user.sub, scope: APP_SCOPES, typ: 'Bearer', iat: now(), exp: now() + 600, jti: randomUUID() });

  it('reads the discovery document, then the key set it names; a valid token gets its OTP', async () => {
    expect(await resultOf(gateway, sandbox.demo.user.token)).toBe('Otp');
    expect(await resultOf(gateway, sandbox.demo.user.token)).toBe('Otp');
    expect(paceCalls(received)).toHaveLength(2);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
  });

  it.each([
    ['expired', () => sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES, exp: now() - CLOCK_TOLERANCE_SECONDS - 60 })],
    ['not yet valid', () => sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES, nbf: now() + CLOCK_TOLERANCE_SECONDS + 60 })],
    ['from another issuer', () => sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES, iss: 'https://elsewhere.example/auth/realms/pace' })],
    ['without iss', () => signJwt({ alg: 'RS256', kid: signer.kid }, { ...claims(), iss: undefined }, { key: signer.privateKey, digest: 'sha256' })],
    ['without exp', () => signJwt({ alg: 'RS256', kid: signer.kid }, { ...claims(), exp: undefined }, { key: signer.privateKey, digest: 'sha256' })],
    ['signed with another key under a known kid', () => {
      const [header, payload] = sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }).split('.');
      return `${header}.${payload}.${new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES }).split('.')[2]}`;
    }],
    ['signed by an unknown key', () => new TokenIssuer({ issuer: sandbox.issuer }).sign({ sub: DEMO.user.sub, scope: APP_SCOPES })],
    ['not a JWT', () => 'opaque-token'],
    ['a Keycloak ID token (typ ID)', () => signJwt({ alg: 'RS256', kid: signer.kid }, { ...claims(), typ: 'ID' }, { key: signer.privateKey, digest: 'sha256' })],
  ])('a token %s is Unauthenticated without calling PACE or touching the guard', async (_case, token) => {
    for (let i = 0; i < 3; i += 1) expect(await resultOf(gateway, token(), '0000')).toBe('Unauthenticated');
    expect(paceCalls(received)).toHaveLength(0);
    expect(await resultOf(gateway, sandbox.demo.user.token)).toBe('Otp'); // PIN_MAX_FAILURES=1: nothing was counted
  });

  // Only the asymmetric algorithms the key allows (its `alg`: RS256): each other one refused on its own.
  it.each([
    ['none (unsigned), naming a real kid', () => signJwt({ alg: 'none', kid: signer.kid }, claims(), 'unsigned')],
    ['none with a signature part', () => `${signJwt({ alg: 'none', kid: signer.kid }, claims(), 'unsigned')}c2lnbmF0dXJl`],
    ['HS256 keyed with the public key (algorithm confusion)', () =>
      signJwt({ alg: 'HS256', kid: signer.kid }, claims(), { hmac: createPublicKey(signer.privateKey).export({ type: 'spki', format: 'pem' }) })],
    ['HS256 keyed with the public key in JWK form', () =>
      signJwt({ alg: 'HS256', kid: signer.kid }, claims(), { hmac: JSON.stringify(sandbox.tokens.jwks().keys[0]) })],
    ['HS512 without kid', () => signJwt({ alg: 'HS512' }, claims(), { hmac: 'secret' })],
    ['RS384 by the right key (its alg is RS256)', () => signJwt({ alg: 'RS384', kid: signer.kid }, claims(), { key: signer.privateKey, digest: 'sha384' })],
    ['PS256 by the right key (its alg is RS256)', () => signJwt({ alg: 'PS256', kid: signer.kid }, claims(), { key: signer.privateKey, digest: 'sha256', pss: true })],
    ['ES256 under the RSA key\'s kid', () =>
      signJwt({ alg: 'ES256', kid: signer.kid }, claims(), { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, digest: 'sha256' })],
    ['an unknown alg', () => signJwt({ alg: 'XS256', kid: signer.kid }, claims(), { hmac: 'secret' })],
  ])('alg %s: Unauthenticated', async (_case, token) => {
    expect(await resultOf(gateway, token(), '0000')).toBe('Unauthenticated');
    expect(paceCalls(received)).toHaveLength(0);
  });

  it('the same claims, RS256 by the right key: the forged variants above fail for their algorithm alone', async () => {
    expect(await resultOf(gateway, signJwt({ alg: 'RS256', kid: signer.kid }, claims(), { key: signer.privateKey, digest: 'sha256' }))).toBe('Otp');
  });

  it.each([
    ['an object', { id: DEMO.user.sub }],
    ['a number', 42],
    ['an array', [DEMO.user.sub]],
    ['null', null],
    ['empty', ''],
  ])('a verified token whose sub is %s is Unauthenticated (never the shared account "[object Object]")', async (_case, sub) => {
    const token = signJwt({ alg: 'RS256', kid: signer.kid }, { ...claims(), sub }, { key: signer.privateKey, digest: 'sha256' });
    expect(await resultOf(gateway, token, '0000')).toBe('Unauthenticated');
    expect(paceCalls(received)).toHaveLength(0);
  });

  it('a token without the scope user:otp:create is Forbidden without calling PACE', async () => {
    expect(await resultOf(gateway, sandbox.demo.noScope.token)).toBe('Forbidden');
    expect(paceCalls(received)).toHaveLength(0);
  });

  it('the credentials query refuses an unverifiable token without calling PACE', async () => {
    const { body } = await graphql(gateway.url, '{ credentials { __typename } }', { headers: bearer(new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES })) });
    expect(body.data?.['credentials'].__typename).toBe('Unauthenticated');
    expect(paceCalls(received)).toHaveLength(0);
  });
});

describe('PACE_JWKS_URL overrides the discovery document', () => {
  it('fetches that key set and never the discovery document', async () => {
    const received: RecordedRequest[] = [];
    const sandbox = await startSandbox({ tokens: new TokenIssuer(), onRequest: (request) => received.push(request) });
    try {
      await using gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: sandbox.issuer, PACE_JWKS_URL: sandbox.jwksUrl });
      expect(await resultOf(gateway, sandbox.demo.user.token)).toBe('Otp');
      expect(received.map((request) => request.path.split('?')[0])).toEqual([REALM_ROUTES.keySet, '/user/2024-1/user/otp']);
    } finally {
      await sandbox.close();
    }
  });
});

describe('keys without `alg`: the algorithms of their kty and curve', () => {
  it('an EC P-256 key (no alg) verifies ES256 only; an oct key beside it verifies nothing', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecKey = { ...publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' };
    const octKey = { kty: 'oct', kid: 'hmac-1', k: Buffer.from('shared-secret').toString('base64url') };
    await using jwks = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [octKey, ecKey] })));
    const received: RecordedRequest[] = [];
    const sandbox = await startSandbox({ onRequest: (request) => received.push(request) }); // PACE itself knows only its realm's RS256 keys
    try {
      const issuer = 'https://id.example/auth/realms/pace';
      await using gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: issuer, PACE_JWKS_URL: `${jwks.url}/certs` });
      const claims = { iss: issuer, sub: DEMO.user.sub, scope: APP_SCOPES, exp: now() + 600 };
      await resultOf(gateway, signJwt({ alg: 'ES256', kid: 'ec-1' }, claims, { key: privateKey, digest: 'sha256' }));
      expect(paceCalls(received)).toHaveLength(1); // verified here, so sent on to PACE
      expect(await resultOf(gateway, signJwt({ alg: 'ES384', kid: 'ec-1' }, { ...claims, jti: 'b' }, { key: privateKey, digest: 'sha384' }))).toBe('Unauthenticated');
      expect(await resultOf(gateway, signJwt({ alg: 'HS256', kid: 'hmac-1' }, claims, { hmac: 'shared-secret' }))).toBe('Unauthenticated');
      expect(paceCalls(received)).toHaveLength(1);
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});

describe('a discovery document or key set that cannot be used: AUTH_UNAVAILABLE and /ready 503, never unverified', () => {
  let sandbox: RunningSandbox;
  let otpCalls = 0;
  beforeAll(async () => {
    sandbox = await startSandbox({ tokens: new TokenIssuer(), onRequest: (request) => void (request.path.endsWith('/user/otp') && (otpCalls += 1)) });
  });
  afterAll(() => sandbox?.close());

  /** An issuer on a scripted server: `answer` decides each discovery request; the key set is the sandbox's. */
  async function scriptedIssuer(answer: (issuer: string) => { status?: number; body: string; delayMs?: number }) {
    const state = { discoveryFetches: 0 };
    const server = await listen((req, res) => {
      const issuer = `http://${req.headers.host}/auth/realms/pace`;
      if (req.url === '/auth/realms/pace/.well-known/openid-configuration') {
        state.discoveryFetches += 1;
        const { status = 200, body, delayMs = 0 } = answer(issuer);
        setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs);
      } else if (req.url === '/auth/realms/pace/protocol/openid-connect/certs') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sandbox.tokens.jwks()));
      } else res.writeHead(404).end();
    });
    const issuer = `${server.url}/auth/realms/pace`;
    const gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: issuer });
    const token = sandbox.tokens.withIssuer(issuer).sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    return {
      state,
      gateway,
      token,
      [Symbol.asyncDispose]: async () => {
        await gateway.close();
        await server.close();
      },
    };
  }
  const good = (issuer: string) => ({ body: JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }) });

  it.each([
    ['404', 'HTTP 404', () => ({ status: 404, body: '{"error":"Realm does not exist"}' })],
    ['garbage', 'did not answer JSON', () => ({ body: '<html>maintenance</html>' })],
    ['a wrong issuer', "discovery document's issuer", (issuer: string) => ({ body: JSON.stringify({ issuer: `${issuer}/`, jwks_uri: `${issuer}/protocol/openid-connect/certs` }) })],
    ['no jwks_uri', 'no jwks_uri', (issuer: string) => ({ body: JSON.stringify({ issuer }) })],
    ['slow (no answer within 3 s)', 'no answer within', (issuer: string) => ({ ...good(issuer), delayMs: 5_000 })],
  ])('discovery answering %s', async (_case, logged, answer) => {
    otpCalls = 0;
    await using idp = await scriptedIssuer(answer);
    const { errors, data } = await createOtp(idp.gateway, idp.token);
    expect(data).toBeNull();
    expect(errors?.[0]).toMatchObject({ message: expect.stringContaining('unable to verify access tokens'), extensions: { code: 'AUTH_UNAVAILABLE' } });
    expect((await fetch(`${idp.gateway.url}/ready`)).status).toBe(503);
    expect(otpCalls).toBe(0);
    expect(idp.gateway.logs.join('')).toContain(logged);
    expect(idp.gateway.logs.join('')).not.toContain(idp.token);
  }, 15_000);

  it('retries in the background until the document is right, then verifies', async () => {
    let broken = true;
    await using idp = await scriptedIssuer((issuer) => (broken ? { status: 503, body: '{}' } : good(issuer)));
    expect((await createOtp(idp.gateway, idp.token)).errors?.[0]?.extensions).toEqual({ code: 'AUTH_UNAVAILABLE' });
    broken = false;
    await waitReady(idp.gateway, 200);
    expect(await resultOf(idp.gateway, idp.token)).toBe('Otp');
    expect(idp.state.discoveryFetches).toBeGreaterThanOrEqual(2);
  }, 15_000);

  it('a key set answering {"keys":[]}: /ready 503 and AUTH_UNAVAILABLE, not every token Unauthenticated', async () => {
    await using jwks = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'));
    await using gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: sandbox.issuer, PACE_JWKS_URL: `${jwks.url}/certs` });
    expect((await createOtp(gateway, sandbox.demo.user.token)).errors?.[0]?.extensions).toEqual({ code: 'AUTH_UNAVAILABLE' });
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);
    expect(gateway.logs.join('')).toContain('no usable signing key');
  });

  it('unreachable at start: AUTH_UNAVAILABLE (no PACE call) and 503 until it loads', async () => {
    otpCalls = 0;
    const port = await freePort();
    await using gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: sandbox.issuer, PACE_JWKS_URL: `http://127.0.0.1:${port}/certs` });
    expect((await createOtp(gateway, sandbox.demo.user.token)).errors?.[0]?.extensions).toEqual({ code: 'AUTH_UNAVAILABLE' });
    expect(otpCalls).toBe(0);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);
    // The key set comes up on that port: the gateway notices by itself.
    await using jwks = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sandbox.tokens.jwks())), port);
    await waitReady(gateway, 200);
    expect(await resultOf(gateway, sandbox.demo.user.token)).toBe('Otp');
    expect(jwks.url).toContain(String(port));
  }, 15_000);
});

describe('key rotation at the real sandbox (POST …/sandbox/rotate-key)', () => {
  it('a token of the new key is accepted within the cooldown; one of a removed key is refused, even one verified before', async () => {
    const signer = realm();
    const received: RecordedRequest[] = [];
    const sandbox = await startSandbox({ tokens: signer.tokens, onRequest: (request) => received.push(request) });
    try {
      await using gateway = await startGateway(sandbox.url, { PACE_TOKEN_ISSUER: sandbox.issuer });
      const before = sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
      expect(await resultOf(gateway, before)).toBe('Otp');
      expect(await resultOf(gateway, before)).toBe('Otp'); // a second time: now in the verified-token cache

      const rotated = await fetch(`${new URL(sandbox.url).origin}${REALM_ROUTES.rotateKey}?keepPreviousSeconds=0`, { method: 'POST' });
      expect(rotated.status).toBe(200);
      const rotatedAt = Date.now();
      let accepted: unknown[] = [];
      while (!accepted.every((result) => result === 'Otp') || accepted.length === 0) {
        expect(Date.now() - rotatedAt).toBeLessThan(KEY_SET_COOLDOWN_MS + 1_500);
        // Three new tokens at once: one fetch serves them all.
        accepted = await Promise.all(Array.from({ length: 3 }, () => resultOf(gateway, sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))));
        if (!accepted.every((result) => result === 'Otp')) await sleep(250);
      }

      const removedKeyToken = signJwt(
        { alg: 'RS256', typ: 'JWT', kid: signer.kid },
        { iss: sandbox.issuer, sub: DEMO.user.sub, scope: APP_SCOPES, typ: 'Bearer', exp: now() + 600, jti: randomUUID() },
        { key: signer.privateKey, digest: 'sha256' },
      );
      expect(await resultOf(gateway, removedKeyToken)).toBe('Unauthenticated');
      const calls = paceCalls(received).length;
      expect(await resultOf(gateway, before)).toBe('Unauthenticated'); // the removed key no longer vouches for it
      expect(paceCalls(received)).toHaveLength(calls); // refused by the gateway (its cache emptied), not only by PACE
    } finally {
      await sandbox.close();
    }
  }, 20_000);
});

describe('riding out an identity-provider outage', () => {
  it('IdP stopped, a made-up token with a random kid arrives: that request only; /ready stays 200, held keys still verify new tokens', async () => {
    const signer = new TokenIssuer();
    const pace = await startSandbox({ tokens: signer });
    const idp = await startSandbox({ tokens: signer }); // PACE ID, on a host of its own
    try {
      await using gateway = await startGateway(pace.url, { PACE_TOKEN_ISSUER: idp.issuer });
      expect(await resultOf(gateway, idp.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))).toBe('Otp');

      await idp.close();
      await sleep(KEY_SET_COOLDOWN_MS + 200); // so the made-up kid does make the gateway try to refetch
      const madeUp = `${b64({ alg: 'RS256', typ: 'JWT', kid: randomUUID() })}.${b64({ iss: idp.issuer, sub: DEMO.user.sub, exp: now() + 600 })}.c2lnbmF0dXJl`;
      expect(await resultOf(gateway, madeUp)).toBe('AUTH_UNAVAILABLE'); // its key could not be looked up
      expect(gateway.logs.join('')).toContain('the key set cannot be loaded');

      expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
      // A token never seen before (a new jti), signed by the key the gateway holds: verified without the IdP.
      expect(await resultOf(gateway, idp.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))).toBe('Otp');
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
    } finally {
      await idp.close();
      await pace.close();
    }
  }, 20_000);
});
