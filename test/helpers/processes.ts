/** Real processes for e2e tests: a redis-server, and the gateway's own entry (src/server.ts). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A throw-away redis-server on 127.0.0.1 (a free port unless given), no persistence unless `args` say. */
export async function startRedis(port?: number, args: readonly string[] = []): Promise<RedisProcess> {
  const at = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(at), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /Ready to accept connections/, 10_000);
  return { url: `redis://127.0.0.1:${at}`, port: at, child, stop: async (signal) => void (await stop(child, signal)) };
}

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed, stdout and stderr. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `node src/server.ts` (through tsx) as its own process, like `npm start`; resolves once it listens. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  await waitForOutput(child, /GraphQL gateway ready/, 30_000);
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => chunks.join(''),
    stop: (signal = 'SIGTERM') => stop(child, signal),
  };
}

/**
 * The demo token a process with the embedded sandbox printed: its sandbox signs with a key of its
 * own, so this test process's `DEMO` tokens are not valid there.
 */
export function printedDemoToken(gateway: GatewayProcess): string {
  const token = /Authorization: Bearer (\S+)/.exec(gateway.output())?.[1];
  if (token === undefined) throw new Error(`no demo token in the output:\n${gateway.output()}`);
  return token;
}

/** Runs the entry to completion (for start-up failures): exit code and output. */
export function runGatewayProcess(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}

/** Resolves once the child's stdout or stderr matched `pattern`; rejects on its exit or after `timeoutMs`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}; output:\n${seen}`));
    });
  });
}
