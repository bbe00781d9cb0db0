/** Tokens verified against the identity provider's key set (PACE_JWKS_URL) before the guard or PACE see them. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_SCOPES, DEMO, SANDBOX_ISSUER, startSandbox, TokenIssuer, type RecordedRequest, type RunningSandbox } from '../src/sandbox/index.js';
import { CLOCK_TOLERANCE_SECONDS, KEY_SET_COOLDOWN_MS } from '../src/security/token-verifier.js';
import { freePort } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, listen, startGateway, type Listening, type RunningGateway } from './helpers/servers.js';

const now = () => Math.floor(Date.now() / 1000);
const otpCallsOf = (received: RecordedRequest[]) => received.filter((request) => request.path.endsWith('/user/otp')).length;

/** The sandbox, and a key-set endpoint in front of its issuer that the test can take down. */
async function identityProvider(port = 0) {
  const issuer = new TokenIssuer();
  const state = { up: true, fetches: 0 };
  const jwks = await listen((_req, res) => {
    state.fetches += 1;
    if (!state.up) return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks()));
  }, port);
  return { issuer, state, jwks };
}

describe('token verification (PACE_JWKS_URL + PACE_TOKEN_ISSUER)', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  const received: RecordedRequest[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ onRequest: (request) => received.push(request) });
    gateway = await startGateway(sandbox.url, { PACE_JWKS_URL: sandbox.jwksUrl, PACE_TOKEN_ISSUER: sandbox.issuer, PIN_MAX_FAILURES: '1' });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });
  beforeEach(() => void (received.length = 0));

  const attempt = async (token: string = sandbox.demo.user.token, pin: string = DEMO.user.pin) =>
    (await graphql(gateway.url, CREATE_OTP, { variables: { input: { pin } }, headers: bearer(token) })).body.data?.['createOtp'];

  it('a valid token gets its OTP', async () => {
    expect((await attempt()).__typename).toBe('Otp');
    expect((await attempt()).__typename).toBe('Otp');
    expect(otpCallsOf(received)).toBe(2);
  });

  it.each([
    ['expired', () => sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES, exp: now() - CLOCK_TOLERANCE_SECONDS - 60 })],
    ['not yet valid', () => sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES, nbf: now() + CLOCK_TOLERANCE_SECONDS + 60 })],
    ['from another issuer', () => sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES, iss: 'https://elsewhere.example' })],
    ['signed with another key under a known kid', () => {
      const [header, payload] = sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }).split('.');
      const foreignSignature = new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES }).split('.')[2];
      return `${header}.${payload}.${foreignSignature}`;
    }],
    ['signed by an unknown key', () => new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES })],
    ['unsigned (alg none)', () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: DEMO.user.sub, iss: SANDBOX_ISSUER, exp: now() + 600 })).toString('base64url')}.`],
    ['not a JWT', () => 'opaque-token'],
  ])('a token %s is Unauthenticated without calling PACE or touching the guard', async (_case, token) => {
    for (let i = 0; i < 3; i += 1) expect((await attempt(token(), '0000')).__typename).toBe('Unauthenticated');
    expect(received).toHaveLength(0);
    expect((await attempt()).__typename).toBe('Otp'); // PIN_MAX_FAILURES=1: nothing was counted
  });

  it('a token without the scope user:otp:create is Forbidden without calling PACE', async () => {
    expect((await attempt(sandbox.demo.noScope.token)).__typename).toBe('Forbidden');
    expect(received).toHaveLength(0);
  });

  it('the credentials query refuses an unverifiable token without calling PACE', async () => {
    const { body } = await graphql(gateway.url, '{ credentials { __typename } }', { headers: bearer(new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES })) });
    expect(body.data?.['credentials'].__typename).toBe('Unauthenticated');
    expect(received).toHaveLength(0);
  });

  it('ready once the key set is loaded', async () => {
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
  });
});

describe('the key set over time', () => {
  let sandbox: RunningSandbox;
  let idp: Awaited<ReturnType<typeof identityProvider>>;
  let gateway: RunningGateway | undefined;
  let jwks: Listening | undefined;
  afterEach(async () => {
    await gateway?.close();
    await jwks?.close();
    await sandbox?.close();
  });
  const attempt = async (token: string) =>
    (await graphql(gateway!.url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(token) })).body;
  const waitReady = async (status: number) => {
    const started = Date.now();
    while ((await fetch(`${gateway!.url}/ready`)).status !== status) {
      expect(Date.now() - started).toBeLessThan(8_000);
      await sleep(100);
    }
  };

  it('rotation: a new kid is fetched once; unreachable later: AUTH_UNAVAILABLE and 503, verified tokens still served; back: recovers', async () => {
    idp = await identityProvider();
    jwks = idp.jwks;
    sandbox = await startSandbox({ tokens: idp.issuer });
    gateway = await startGateway(sandbox.url, { PACE_JWKS_URL: `${idp.jwks.url}/jwks.json`, PACE_TOKEN_ISSUER: SANDBOX_ISSUER, READY_FAILS_ON_DEPENDENCIES: 'true' });
    const first = idp.issuer.sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    expect((await attempt(first)).data?.['createOtp'].__typename).toBe('Otp');
    expect(idp.state.fetches).toBe(1);

    idp.issuer.rotate();
    await sleep(KEY_SET_COOLDOWN_MS + 100);
    const rotated = Array.from({ length: 3 }, () => idp.issuer.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }));
    const answers = await Promise.all(rotated.map(attempt));
    expect(answers.map((body) => body.data?.['createOtp'].__typename)).toEqual(['Otp', 'Otp', 'Otp']);
    expect(idp.state.fetches).toBe(2);

    idp.state.up = false;
    idp.issuer.rotate();
    await sleep(KEY_SET_COOLDOWN_MS + 100);
    const unseen = idp.issuer.sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    expect((await attempt(unseen)).errors?.[0]?.extensions).toEqual({ code: 'AUTH_UNAVAILABLE' });
    await waitReady(503);
    expect((await attempt(first)).data?.['createOtp'].__typename).toBe('Otp'); // verified before: remembered until its exp
    expect(gateway.logs.join('')).toContain('the key set cannot be loaded');

    idp.state.up = true;
    await waitReady(200);
    expect((await attempt(unseen)).data?.['createOtp'].__typename).toBe('Otp');
  }, 30_000);

  it('unreachable at start: AUTH_UNAVAILABLE (no PACE call, no fall back) and 503 until it loads', async () => {
    const port = await freePort();
    let otpCalls = 0;
    sandbox = await startSandbox({ onRequest: () => void (otpCalls += 1) });
    gateway = await startGateway(sandbox.url, { PACE_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, PACE_TOKEN_ISSUER: SANDBOX_ISSUER });
    const { errors, data } = await attempt(DEMO.user.token);
    expect(data).toBeNull();
    expect(errors?.[0]).toMatchObject({ message: expect.stringContaining('unable to verify access tokens'), extensions: { code: 'AUTH_UNAVAILABLE' } });
    expect(otpCalls).toBe(0);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);

    // The key set comes up on that port: the gateway notices by itself.
    jwks = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sandbox.tokens.jwks())), port);
    await waitReady(200);
    expect((await attempt(DEMO.user.token)).data?.['createOtp'].__typename).toBe('Otp');
  }, 30_000);
});
