/**
 * The real entry (src/server.ts) as its own process: start-up validation, graceful shutdown on
 * SIGTERM, and upstream faults that must leave the process up, quick and silent about secrets.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, printedDemoToken, runGatewayProcess, startGatewayProcess, type GatewayProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql, listen, type Listening } from './helpers/servers.js';

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJlMmUtdXNlciJ9.E2ESECRETSIG';
/** One account per simulated user: an account may only have a few credential checks in flight. */
const userToken = (n: number) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: `e2e-user-${n}` })).toString('base64url')}.E2ESECRETSIG`;
const OTP = '8642097531'; // long enough never to occur by chance in a request id
const validOtp = () => JSON.stringify({ otp: OTP, expiresAt: new Date(Date.now() + 600_000).toISOString() });

describe('start-up', () => {
  it('stops with one message listing every bad setting', () => {
    const { status, output } = runGatewayProcess({ PORT: 'eighty', GRAPHIQL: 'perhaps', UPSTREAM_TIMEOUT_MS: '-1' });
    expect(status).toBe(1);
    expect(output).toContain('Invalid configuration:');
    expect(output).toContain('PORT must be an integer');
    expect(output).toContain('GRAPHIQL must be true or false');
    expect(output).toContain('UPSTREAM_TIMEOUT_MS must be an integer');
  });

  it('refuses the sandbox in production', () => {
    const { status, output } = runGatewayProcess({ NODE_ENV: 'production' });
    expect(status).toBe(1);
    expect(output).toContain('PACE_API_URL is required when NODE_ENV=production');
  });

  it('with the embedded sandbox, verifies tokens against the sandbox key set (the default `npm start`)', async () => {
    const started = await startGatewayProcess({});
    try {
      expect(started.output()).toMatch(/"tokens":"verified: issuer http:\/\/127\.0\.0\.1:\d+\/auth\/realms\/pace, key set from its discovery document"/); // the start-up summary
      const demoToken = printedDemoToken(started);
      const otp = await graphql(started.url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(demoToken) });
      expect(otp.body.data?.['createOtp'].__typename).toBe('Otp');
      const forged = await graphql(started.url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(`${demoToken.slice(0, -4)}AAAA`) });
      expect(forged.body.data?.['createOtp'].__typename).toBe('Unauthenticated');
    } finally {
      await started.stop();
    }
  });

  it('warns in production when tokens are not verified', async () => {
    const started = await startGatewayProcess({ NODE_ENV: 'production', PACE_API_URL: 'http://127.0.0.1:9/user/2024-1' });
    try {
      expect(started.output()).toContain('PACE_TOKEN_ISSUER is not set: tokens are not verified here');
    } finally {
      await started.stop();
    }
  });
});

/** One scripted upstream whose behaviour the PIN picks: the faults the sandbox cannot produce. */
function faultyUpstream(req: { body: string }, res: ServerResponse): void {
  const pin = (JSON.parse(req.body) as { pin?: string }).pin ?? '';
  if (pin.startsWith('slow')) setTimeout(() => res.writeHead(201, { 'content-type': 'application/json' }).end(validOtp()), 1_000);
  else if (pin.startsWith('reset')) res.socket?.destroy();
  else if (pin.startsWith('hang')) return;
  else if (pin.startsWith('html')) res.writeHead(502, { 'content-type': 'text/html' }).end(`<html>${req.body}</html>`);
  else if (pin.startsWith('malformed')) res.writeHead(201, { 'content-type': 'application/json' }).end('{"otp": "1234');
  else if (pin.startsWith('huge')) {
    res.writeHead(201, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 20; i += 1) res.write(chunk);
    res.end();
  } else res.writeHead(201, { 'content-type': 'application/json' }).end(validOtp());
}

describe('the running process', () => {
  let upstream: Listening & { port: number };
  let gateway: GatewayProcess;

  async function startUpstream(port?: number) {
    const chosen = port ?? (await freePort());
    const http = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => faultyUpstream({ body: Buffer.concat(chunks).toString() }, res));
    }, chosen);
    return { ...http, port: chosen };
  }

  beforeAll(async () => {
    upstream = await startUpstream();
    gateway = await startGatewayProcess({
      PACE_API_URL: `http://127.0.0.1:${upstream.port}/user/2024-1`,
      UPSTREAM_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
    });
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await upstream?.close();
  });

  const createOtp = (pin: string, token = TOKEN) => graphql(gateway.url, CREATE_OTP, { variables: { input: { pin } }, headers: bearer(token) });

  it('answers each fault with its code within the timeout, stays up, then serves 1,000 requests', async () => {
    const cases: [string, string][] = [
      ['reset-secret-pin-1', 'UPSTREAM_UNAVAILABLE'],
      ['hang-secret-pin-2', 'UPSTREAM_TIMEOUT'],
      ['html-secret-pin-3', 'UPSTREAM_BAD_RESPONSE'],
      ['malformed-secret-pin-4', 'UPSTREAM_BAD_RESPONSE'],
      ['huge-secret-pin-5', 'UPSTREAM_BAD_RESPONSE'],
    ];
    for (const [pin, code] of cases) {
      const started = Date.now();
      const { body } = await createOtp(pin);
      expect(body.errors?.[0]?.extensions?.['code'], pin).toBe(code);
      expect(Date.now() - started).toBeLessThan(4_000);
    }

    await upstream.close(); // down
    // Another account: the five faults above, each received by PACE, count as failures and lock TOKEN's.
    const down = await createOtp('down-secret-pin-6', userToken(1_000));
    expect(down.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    upstream = await startUpstream(upstream.port);

    let otps = 0;
    const worker = async (user: number) => {
      for (let i = 0; i < 40; i += 1) {
        const { body } = await createOtp('steady-secret-pin', userToken(user));
        if (body.data?.['createOtp']?.otp === OTP) otps += 1;
      }
    };
    await Promise.all(Array.from({ length: 25 }, (_, user) => worker(user)));
    expect(otps).toBe(1_000);
    expect(gateway.child.exitCode).toBeNull();

    // Everything the process printed: no PIN, token or OTP, on any of these paths.
    const output = gateway.output();
    expect(output).toContain('"msg":"request"');
    for (const secret of ['secret-pin', 'E2ESECRETSIG', TOKEN, OTP]) {
      if (output.includes(secret)) console.error(output.split('\n').filter((l) => l.includes(secret)).slice(0, 3));
      expect(output).not.toContain(secret);
    }
  }, 120_000);

  it('on SIGTERM, lets an in-flight request finish with its OTP, refuses new work, and exits 0', async () => {
    const inFlight = createOtp('slow-1', userToken(1_001)); // TOKEN's account is locked by the faults above
    await new Promise((resolve) => setTimeout(resolve, 300)); // the request has reached the upstream
    const exit = gateway.stop('SIGTERM');
    const { body } = await inFlight;
    expect(body.data?.['createOtp']).toMatchObject({ __typename: 'Otp', otp: OTP });
    expect(await exit).toBe(0);
    await expect(createOtp('steady-secret-pin')).rejects.toThrow();
    expect(gateway.output()).toContain('shutting down');
  }, 30_000);
});
