/**
 * Auth enforced at the router: Hive Gateway configured by examples/supergraph/router.ts (JWT against
 * the sandbox realm's key set + genericAuth on the subgraph's @authenticated / @requiresScopes).
 * A token without user:otp:create, or no token, is refused by the router and never reaches this
 * subgraph (its requests are counted); a good token gets its OTP router -> subgraph -> PACE.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routerConfig } from '../examples/supergraph/router.js';
import { composeSupergraph, fetchSubgraph, startProfileSubgraph } from './helpers/federation.js';
import { startSandboxedGateway, type SandboxedGateway } from './helpers/sandbox.js';
import { bearer, CREATE_OTP, CREDENTIALS, graphql, listen, type Listening } from './helpers/servers.js';

let subgraph: SandboxedGateway;
let profile: Listening;
let router: Listening;
/** Requests that reached this subgraph (the PACE OTP gateway), whatever they were. */
let subgraphRequests = 0;

beforeAll(async () => {
  // The subgraph verifies tokens too, against the same realm: the router is a first line, not the only one.
  subgraph = await startSandboxedGateway({ env: (sandbox) => ({ LOG_LEVEL: 'warn', PACE_JWKS_URL: sandbox.jwksUrl, PACE_TOKEN_ISSUER: sandbox.issuer }) });
  subgraph.gateway.server.prependListener('request', () => void (subgraphRequests += 1));
  profile = await startProfileSubgraph();
  const { supergraphSdl } = composeSupergraph([await fetchSubgraph('pace-otp', subgraph.url), await fetchSubgraph('profile', profile.url)]);
  const runtime = createGatewayRuntime({ ...routerConfig({ supergraph: supergraphSdl, jwksUrl: subgraph.sandbox.jwksUrl, issuer: subgraph.sandbox.issuer }), logging: false });
  const http = await listen(runtime);
  router = { ...http, close: async () => { await http.close(); await runtime.dispose(); } };
});
afterAll(async () => {
  await router?.close();
  await profile?.close();
  await subgraph?.close();
});
beforeEach(() => {
  subgraphRequests = 0;
  subgraph.received.length = 0;
});

const viaRouter = (query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>) =>
  graphql(router.url, query, { ...(variables && { variables }), headers });

describe('refused by the router, never reaching the subgraph', () => {
  it.each([
    ['a token without user:otp:create', () => bearer(subgraph.sandbox.demo.noScope.token)],
    ['no token', () => ({})],
  ])('createOtp with %s: HTTP 401, UNAUTHORIZED_FIELD_OR_TYPE, createOtp null', async (_case, headers) => {
    const { status, body } = await viaRouter(CREATE_OTP, { input: { pin: '1234' } }, headers());
    expect(status).toBe(401);
    expect(body.data?.['createOtp'] ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(subgraphRequests).toBe(0);
    expect(subgraph.received.filter((request) => request.path.includes('/user/'))).toHaveLength(0); // PACE's paths (the router fetches the key set from the same sandbox)
  });

  it('credentials (@authenticated) without a token', async () => {
    const { status, body } = await viaRouter(CREDENTIALS, undefined, {});
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(subgraphRequests).toBe(0);
  });

  it('a token the realm did not sign: 401 before any field is looked at', async () => {
    const forged = `${subgraph.sandbox.demo.user.token.slice(0, -6)}AAAAAA`;
    const { status } = await viaRouter(CREATE_OTP, { input: { pin: '1234' } }, bearer(forged));
    expect(status).toBe(401);
    expect(subgraphRequests).toBe(0);
  });

  it('fields without a directive stay open: the profile answers without a token', async () => {
    const { status, body } = await viaRouter('{ profile { displayName sawAuthorization } }', undefined, {});
    expect(status).toBe(200);
    expect(body.data).toEqual({ profile: { displayName: 'Demo User', sawAuthorization: false } });
  });
});

describe('let through by the router', () => {
  it('a token with user:otp:create gets its OTP: router -> subgraph -> PACE', async () => {
    const { user } = subgraph.sandbox.demo;
    const { status, body } = await viaRouter(CREATE_OTP, { input: { pin: user.pin } }, bearer(user.token));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
    expect(subgraphRequests).toBe(1);
    expect(subgraph.received.filter((request) => request.path.includes('/user/'))).toHaveLength(1);
    expect(subgraph.received[0]?.headers['authorization']).toBe(`Bearer ${user.token}`);
  });

  it('the profile subgraph never sees the PACE token', async () => {
    const { body } = await viaRouter('{ profile { sawAuthorization } }', undefined, bearer(subgraph.sandbox.demo.user.token));
    expect(body.data).toEqual({ profile: { sawAuthorization: false } });
  });
});

describe('npm run supergraph (examples/supergraph/start.ts), as a process', () => {
  it('prints the router and two tokens: the one with the scope gets an OTP, the other is refused by the router', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/supergraph/start.ts'], {
      cwd: new URL('..', import.meta.url),
      env: { PATH: process.env['PATH'] ?? '', ROUTER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    try {
      const started = Date.now();
      while (!/without it[^\n]*\n\s+Authorization: Bearer \S+/.test(output)) {
        if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`no router:\n${output}`);
        await sleep(100);
      }
      const url = /ready at (http:\/\/localhost:\d+)\/graphql/.exec(output)![1]!;
      const [withScope, withoutScope] = [...output.matchAll(/Authorization: Bearer (\S+)/g)].map((match) => match[1]!);
      const good = await graphql(url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(withScope!) });
      expect(good.body.data?.['createOtp'].__typename).toBe('Otp');
      const refused = await graphql(url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(withoutScope!) });
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    }
  }, 60_000);
});
