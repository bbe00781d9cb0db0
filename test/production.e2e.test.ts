/**
 * The production surface on the real process (src/server.ts, and `npm start`): GraphiQL under slow
 * clients, the drain on SIGTERM, a shutdown that ends on time whatever PACE does, METRICS_PORT, and a
 * busy port.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { Client, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runGatewayProcess, startGatewayProcess, type GatewayProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, scriptedUpstream, type Listening, type ScriptedRequest } from './helpers/servers.js';

/** One token per client: a token may only have a few credential checks in flight. */
const token = (n: number) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: `prod-e2e-${n}` })).toString('base64url')}.PRODSIG`;

/**
 * The upstream: the PIN says how to answer. `slow…` after 2 s, `hang…` never, else at once; the OTP
 * is `OTP-<pin>`, so every OTP made can be matched to the request it answers.
 */
let upstream: Listening & { readonly requests: ScriptedRequest[] };
const otpsMade: string[] = [];
beforeAll(async () => {
  upstream = await scriptedUpstream((req, res) => {
    const pin = (JSON.parse(req.body) as { pin: string }).pin;
    const answer = () => {
      if (res.destroyed) return;
      otpsMade.push(`OTP-${pin}`);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ otp: `OTP-${pin}`, expiresAt: new Date(Date.now() + 600_000).toISOString() }));
    };
    if (pin.startsWith('hang')) return;
    if (pin.startsWith('slow')) setTimeout(answer, 2_000);
    else answer();
  });
});
afterAll(() => upstream?.close());

const gateways: GatewayProcess[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop('SIGKILL')));
});
async function start(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ PACE_API_URL: `${upstream.url}/user/2024-1`, NODE_ENV: 'production', ...env });
  gateways.push(gateway);
  return gateway;
}

const body = (pin: string) => JSON.stringify({ query: CREATE_OTP, variables: { input: { pin } } });
const headers = (n: number) => ({ 'content-type': 'application/json', accept: 'application/graphql-response+json', ...bearer(token(n)) });
const exited = (gateway: GatewayProcess) => once(gateway.child, 'exit') as Promise<[number | null, string | null]>;

describe('GraphiQL under slow clients', () => {
  const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

  it('40 clients that open the page or its largest file and never read: RSS grows < 300 MB, /health answers within 1 s', async () => {
    const gateway = await start({ GRAPHIQL: 'true' });
    const page = await request(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.body.text();
    const sizes = await Promise.all(
      [...new Set(html.match(/\/graphiql\/[\w.-]+/g))].map(async (path) => {
        const head = await request(`${gateway.url}${path}`, { method: 'HEAD' });
        await head.body.text();
        return { path, size: Number(head.headers['content-length']) };
      }),
    );
    const largest = sizes.sort((a, b) => b.size - a.size)[0] ?? { path: '/graphql', size: html.length };

    const before = rssMb(gateway.child.pid!);
    const { port } = new URL(gateway.url);
    const sockets: Socket[] = [];
    for (let i = 0; i < 40; i += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.pause(); // never read: the answer stays with the server
      socket.on('error', () => undefined);
      // No Accept-Encoding: the largest body there is (identity).
      socket.write(i % 2 === 0 ? 'GET /graphql HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n' : `GET ${largest.path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      sockets.push(socket);
    }
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const started = performance.now();
      const health = await request(`${gateway.url}/health`, { headersTimeout: 5_000 });
      await health.body.text();
      const healthMs = performance.now() - started;
      const growth = rssMb(gateway.child.pid!) - before;
      console.info(`RSS ${before.toFixed(0)} MB -> +${growth.toFixed(0)} MB with 40 slow clients; /health in ${healthMs.toFixed(0)} ms`);
      expect(health.statusCode).toBe(200);
      expect(healthMs).toBeLessThan(1_000);
      expect(growth).toBeLessThan(300);
      expect(largest.size).toBeGreaterThan(1_000_000); // it was the GraphiQL bundle itself
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  }, 60_000);
});

describe('the drain on SIGTERM', () => {
  it('two keep-alive clients lose nothing: in-flight requests finish, every later response says Connection: close, then only "connection refused"', async () => {
    const gateway = await start({ SHUTDOWN_TIMEOUT_MS: '10000' });
    let sigtermSeenAt = Number.POSITIVE_INFINITY; // when the gateway's "shutting down" line reached us
    gateway.child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('shutting down')) sigtermSeenAt = Math.min(sigtermSeenAt, performance.now());
    });

    interface Outcome { readonly pin: string; readonly sentAt: number; readonly otp?: string; readonly connection?: string; readonly error?: string }
    const outcomes: Outcome[] = [];
    const runClient = async (n: number, pinPrefix: string) => {
      const client = new Client(gateway.url, { pipelining: 1, keepAliveTimeout: 30_000 });
      try {
        for (let i = 0; ; i += 1) {
          const pin = `${pinPrefix}-${n}-${i}`;
          const sentAt = performance.now();
          try {
            const response = await client.request({ method: 'POST', path: '/graphql', headers: headers(n), body: body(pin) });
            const json = (await response.body.json()) as { data?: { createOtp?: { otp?: string } } };
            outcomes.push({ pin, sentAt, otp: json.data?.createOtp?.otp ?? '', connection: String(response.headers['connection']) });
          } catch (error) {
            const code = (error as { code?: string }).code ?? String(error);
            outcomes.push({ pin, sentAt, error: code });
            if (code === 'ECONNREFUSED') return;
            if (outcomes.filter((outcome) => outcome.error).length > 20) return; // something is badly wrong: stop
          }
        }
      } finally {
        await client.destroy();
      }
    };
    const fast = runClient(1, 'fast');
    const slow = runClient(2, 'slow'); // each request waits 2 s at the upstream
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a slow request is 1 s in flight
    const exit = exited(gateway);
    gateway.child.kill('SIGTERM');
    await Promise.all([fast, slow]);
    const [code] = await exit;

    const errors = outcomes.filter((outcome) => outcome.error).map((outcome) => outcome.error);
    console.info(`drain: ${outcomes.length - errors.length} answers, errors ${JSON.stringify(errors)}`);
    expect(code).toBe(0);
    expect(sigtermSeenAt).toBeLessThan(Number.POSITIVE_INFINITY);
    const received = new Set(outcomes.map((outcome) => outcome.otp).filter(Boolean));
    const pinsSeenUpstream = new Set(upstream.requests.map((req) => (JSON.parse(req.body) as { pin: string }).pin));
    // Every OTP PACE made reached its caller.
    for (const otp of otpsMade) if (/^OTP-(fast|slow)-[12]-/.test(otp)) expect(received, otp).toContain(otp);
    // Every answer is the OTP of its own request.
    for (const outcome of outcomes) if (outcome.otp !== undefined) expect(outcome.otp).toBe(`OTP-${outcome.pin}`);
    // No accepted request was cut: an error other than "connection refused" only for a request the
    // gateway never took (the keep-alive race: sent as the idle socket closed), never seen upstream.
    const cut = outcomes.filter((outcome) => outcome.error !== undefined && outcome.error !== 'ECONNREFUSED' && pinsSeenUpstream.has(outcome.pin));
    expect(cut).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.error === 'ECONNREFUSED')).toHaveLength(2);
    // The slow request in flight at SIGTERM finished with its OTP, and said Connection: close.
    const inFlight = outcomes.filter((outcome) => outcome.pin.startsWith('slow') && outcome.otp && outcome.sentAt < sigtermSeenAt && outcome.sentAt > sigtermSeenAt - 2_500);
    expect(inFlight).toHaveLength(1);
    expect(inFlight[0]?.connection).toBe('close');
    // Every request sent after the gateway began draining was answered with Connection: close.
    for (const outcome of outcomes) if (outcome.otp && outcome.sentAt > sigtermSeenAt) expect(outcome.connection, outcome.pin).toBe('close');
    expect(outcomes.filter((outcome) => outcome.otp).length).toBeGreaterThan(5);
  }, 60_000);
});

describe('a shutdown that ends on time', () => {
  it('against an upstream that never answers: callers get UPSTREAM_UNAVAILABLE, the process exits within SHUTDOWN_TIMEOUT_MS + 1 s', async () => {
    const gateway = await start({ SHUTDOWN_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '60000' });
    const seen = upstream.requests.length;
    const calls = [1, 2, 3].map(async (n) => {
      const response = await request(`${gateway.url}/graphql`, { method: 'POST', headers: headers(10 + n), body: body(`hang-${n}`) });
      return (await response.body.json()) as { errors?: { extensions?: { code?: string } }[] };
    });
    while (upstream.requests.length < seen + 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const exit = exited(gateway);
    const signalledAt = performance.now();
    gateway.child.kill('SIGTERM');
    const answers = await Promise.all(calls);
    await exit;
    const tookMs = performance.now() - signalledAt;
    console.info(`shutdown with 3 hanging PACE calls took ${tookMs.toFixed(0)} ms (SHUTDOWN_TIMEOUT_MS=1500)`);
    for (const answer of answers) expect(answer.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(tookMs).toBeGreaterThanOrEqual(1_400);
    expect(tookMs).toBeLessThan(2_500);
  }, 30_000);

  it('with the callers already gone: the PACE calls are still aborted at the deadline, and the exit is clean (code 0)', async () => {
    const gateway = await start({ SHUTDOWN_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '60000' });
    const seen = upstream.requests.length;
    const callers = [1, 2].map((n) => {
      const hangUp = new AbortController();
      const call = request(`${gateway.url}/graphql`, { method: 'POST', headers: headers(20 + n), body: body(`hang-gone-${n}`), signal: hangUp.signal }).catch(() => undefined);
      return { hangUp, call };
    });
    while (upstream.requests.length < seen + 2) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const caller of callers) caller.hangUp.abort();
    await Promise.all(callers.map((caller) => caller.call));
    const exit = exited(gateway);
    const signalledAt = performance.now();
    gateway.child.kill('SIGTERM');
    const [code] = await exit;
    const tookMs = performance.now() - signalledAt;
    // Not the hard exit (code 1, at 1500 + 900 ms): the deadline aborted the calls nobody waited for.
    expect(code).toBe(0);
    expect(tookMs).toBeGreaterThanOrEqual(1_400);
    expect(tookMs).toBeLessThan(2_300);
    expect(gateway.output()).toContain('shutdown timeout: aborting the remaining PACE calls');
  }, 30_000);
});

describe('METRICS_PORT', () => {
  it('serves /metrics (GET and HEAD) on its own listener and not on PORT', async () => {
    const metricsPort = await freePort();
    const gateway = await start({ METRICS_PORT: String(metricsPort) });
    const own = await request(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(own.statusCode).toBe(200);
    const text = await own.body.text();
    expect(text).toContain('pace_otp_gateway_requests_total');
    expect(text).toContain('process_resident_memory_bytes'); // the server adds the process's own, once
    const head = await request(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(await head.body.text()).toBe('');
    const other = await request(`http://127.0.0.1:${metricsPort}/graphql`);
    await other.body.text();
    expect(other.statusCode).toBe(404);
    const api = await request(`${gateway.url}/metrics`);
    expect(await api.body.text()).not.toContain('pace_otp_gateway');
    expect(api.statusCode).toBe(404);
  }, 30_000);
});

describe('start-up and process management', () => {
  it('a busy port: one clear line naming the port and PORT, exit 1', async () => {
    const busy = createTcpServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as { port: number };
    try {
      const { status, output } = runGatewayProcess({ PORT: String(port), HOST: '127.0.0.1', PACE_API_URL: `${upstream.url}/user/2024-1`, LOG_LEVEL: 'warn' });
      expect(status).toBe(1);
      expect(output.trim()).toBe(`Port ${port} on 127.0.0.1 is already in use: set PORT to a free port.`);
    } finally {
      busy.close();
    }
  });

  it('`npm start` stops on SIGTERM to the npm process alone: no process left, port closed', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: new URL('..', import.meta.url),
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', PACE_API_URL: `${upstream.url}/user/2024-1` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('GraphQL gateway ready')) resolve();
      };
      npm.stdout.on('data', onData);
      npm.stderr.on('data', onData);
      npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
    });
    let tree: number[] = [];
    try {
      await ready;
      const descendants = (pid: number): number[] =>
        spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }) // exits 1 when there is none
          .stdout.split('\n')
          .map((line) => Number(line.trim()))
          .filter((child) => child > 0)
          .flatMap((child) => [child, ...descendants(child)]);
      tree = descendants(npm.pid!);
      expect(tree.length).toBeGreaterThan(0); // the server, whatever npm put in between

      const exit = once(npm, 'exit');
      process.kill(npm.pid!, 'SIGTERM'); // the npm process alone, as a process manager does
      await exit;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const alive = tree.filter((pid) => {
        try {
          process.kill(pid, 0);
          return !/^\s*Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }));
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => resolve('connected'));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    } finally {
      // Only if the test failed: nothing started here may outlive it.
      for (const pid of [npm.pid!, ...tree]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 120_000);
});
