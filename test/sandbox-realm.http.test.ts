/** The sandbox's identity provider: a Keycloak realm `pace` as PACE ID is one (real HTTP throughout). */
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCOPES, DEMO, SANDBOX_ISSUER, startSandbox, TokenIssuer, type RunningSandbox } from '../src/sandbox/index.js';

const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString()) as Record<string, unknown>;
const getJson = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return (await response.json()) as Record<string, unknown>;
};
const keySet = async (sandbox: RunningSandbox) => (await getJson(sandbox.jwksUrl)) as { keys: Record<string, string>[] };
const rotate = (sandbox: RunningSandbox, query = '') =>
  fetch(`${new URL(sandbox.url).origin}/auth/realms/pace/sandbox/rotate-key${query}`, { method: 'POST' });
const postOtp = (sandbox: RunningSandbox, token: string) =>
  fetch(`${sandbox.url}/user/otp`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ pin: DEMO.user.pin }) });

/** A sandbox with a realm of its own (rotating it leaves the other tests' keys alone). */
async function ownSandbox(): Promise<RunningSandbox & AsyncDisposable> {
  const sandbox = await startSandbox({ tokens: new TokenIssuer() });
  return { ...sandbox, [Symbol.asyncDispose]: () => sandbox.close() };
}

/** The token's signature checked with the published key its kid names, as any RS256 verifier would. */
function signedByPublishedKey(token: string, keys: Record<string, string>[]): boolean {
  const [header, payload, signature] = token.split('.');
  const jwk = keys.find((key) => key['kid'] === decode(header)['kid']);
  if (jwk === undefined) return false;
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: String(jwk['n']), e: String(jwk['e']) }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature ?? '', 'base64url'));
}

describe('the sandbox realm `pace`', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('names its issuer <origin>/auth/realms/pace and describes itself at the Keycloak paths', async () => {
    const origin = new URL(sandbox.url).origin;
    expect(sandbox.issuer).toBe(`${origin}/auth/realms/pace`);
    expect(sandbox.discoveryUrl).toBe(`${sandbox.issuer}/.well-known/openid-configuration`);
    expect(sandbox.jwksUrl).toBe(`${sandbox.issuer}/protocol/openid-connect/certs`);
    const discovery = await getJson(sandbox.discoveryUrl);
    expect(discovery).toMatchObject({
      issuer: sandbox.issuer,
      jwks_uri: sandbox.jwksUrl,
      authorization_endpoint: `${sandbox.issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${sandbox.issuer}/protocol/openid-connect/token`,
      userinfo_endpoint: `${sandbox.issuer}/protocol/openid-connect/userinfo`,
      end_session_endpoint: `${sandbox.issuer}/protocol/openid-connect/logout`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(discovery['scopes_supported']).toEqual(expect.arrayContaining(['openid', 'user:otp:create', 'user:user:read']));
  });

  it('signs RS256 access tokens with Keycloak claims, verifiable with its published key set', async () => {
    const { keys } = await keySet(sandbox);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
    const token = sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    const [header, payload] = token.split('.');
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: keys[0]?.['kid'] });
    const claims = decode(payload);
    expect(claims).toMatchObject({ iss: sandbox.issuer, sub: DEMO.user.sub, azp: expect.any(String), typ: 'Bearer', scope: APP_SCOPES });
    expect(typeof claims['exp']).toBe('number');
    expect(typeof claims['iat']).toBe('number');
    expect(typeof claims['jti']).toBe('string');
    expect(signedByPublishedKey(token, keys)).toBe(true);
    expect(signedByPublishedKey(new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES }), keys)).toBe(false);
    for (const account of Object.values(sandbox.demo)) expect(signedByPublishedKey(account.token, keys)).toBe(true);
  });

  it('answers userinfo for its own tokens only', async () => {
    const userinfo = (token: string) => fetch(`${sandbox.issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    const ok = await userinfo(sandbox.demo.user.token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: DEMO.user.sub });
    expect((await userinfo(new TokenIssuer().sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))).status).toBe(401);
  });

  it('signs the demo tokens the same way in every process (fixed development key, fixed claims)', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "import { DEMO } from './src/sandbox/index.ts'; console.log(DEMO.user.token)"], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(child.stdout.trim()).toBe(DEMO.user.token);
    expect(decode(DEMO.user.token.split('.')[1])['iss']).toBe(SANDBOX_ISSUER);
    expect(sandbox.tokens.withIssuer(SANDBOX_ISSUER).sign({ sub: DEMO.user.sub, scope: APP_SCOPES, jti: `demo-${DEMO.user.sub}` })).toBe(DEMO.user.token);
  });
});

describe('key rotation (POST /auth/realms/pace/sandbox/rotate-key)', () => {
  it('signs with a new key and keeps the previous one published for the time asked; 0 removes it', async () => {
    await using sandbox = await ownSandbox();
    const before = sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    const [{ kid: firstKid }] = (await keySet(sandbox)).keys as [{ kid: string }];

    const rotated = await rotate(sandbox);
    expect(rotated.status).toBe(200);
    const { kid: secondKid, keys } = (await rotated.json()) as { kid: string; keys: string[] };
    expect(secondKid).not.toBe(firstKid);
    expect(keys).toEqual([secondKid, firstKid]);
    const after = sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES });
    expect(decode(after.split('.')[0])['kid']).toBe(secondKid);
    expect((await keySet(sandbox)).keys.map((key) => key['kid'])).toEqual([secondKid, firstKid]);
    expect((await postOtp(sandbox, before)).status).toBe(201); // the old key still verifies

    const removing = await rotate(sandbox, '?keepPreviousSeconds=0');
    const { kid: thirdKid } = (await removing.json()) as { kid: string };
    expect((await keySet(sandbox)).keys.map((key) => key['kid'])).toEqual([thirdKid]);
    expect((await postOtp(sandbox, before)).status).toBe(401);
    expect((await postOtp(sandbox, after)).status).toBe(401);
    expect((await postOtp(sandbox, sandbox.tokens.sign({ sub: DEMO.user.sub, scope: APP_SCOPES }))).status).toBe(201);
  });

  it('refuses a bad keepPreviousSeconds and a GET', async () => {
    await using sandbox = await ownSandbox();
    for (const query of ['?keepPreviousSeconds=-1', '?keepPreviousSeconds=abc', '?keepPreviousSeconds=999999']) {
      expect((await rotate(sandbox, query)).status).toBe(422);
    }
    expect((await fetch(`${new URL(sandbox.url).origin}/auth/realms/pace/sandbox/rotate-key`)).status).toBe(405);
    expect((await keySet(sandbox)).keys).toHaveLength(1);
  });
});
