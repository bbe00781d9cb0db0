// Child processes: free ports, start-and-wait-until-listening, and killing them all on the way out.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Spawn `node [nodeArgs] <entry>` with PORT=<free port> (plus `env`), output to `logFile`,
 * and resolve once the port accepts connections. `ipc` lets our own scripts exit with the parent.
 */
export async function startServer({ name, entry, env = {}, logFile, ipc = true, timeoutMs = 20_000, cpus = null, nodeArgs = [] }) {
  const port = await freePort();
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'w');
  const childEnv = { ...process.env, NODE_ENV: 'production', ...env, PORT: String(port) };
  delete childEnv.LOG_LEVEL;
  // `taskset -c CPUS node …` execs node in place: same pid, pinned to CPUS.
  const [command, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs, entry]] : [process.execPath, [...nodeArgs, entry]];
  const child = spawn(command, args, {
    env: childEnv,
    stdio: ['ignore', log, log, ...(ipc ? ['ipc'] : [])],
  });
  closeSync(log);
  children.add(child);
  let exited = null;
  child.once('exit', (code, signal) => { exited = { code, signal }; children.delete(child); });

  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`${name} exited (${exited.signal ?? exited.code}) before listening; see ${logFile}:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not listening on ${port} after ${timeoutMs} ms; see ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return { name, port, pid: child.pid, child, logFile };
}

/** A local redis-server on a free port (no persistence), for the gateway-redis target; null when not installed. */
export async function startRedisServer({ logFile, cpus = null }) {
  const port = await freePort();
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'w');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const [command, argv] = cpus ? ['taskset', ['-c', cpus, 'redis-server', ...args]] : ['redis-server', args];
  const child = spawn(command, argv, { stdio: ['ignore', log, log] });
  closeSync(log);
  const failed = await new Promise((resolve) => {
    child.once('error', () => resolve(true));
    child.once('spawn', () => resolve(false));
  });
  if (failed) return null;
  children.add(child);
  child.once('exit', () => children.delete(child));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) return null;
    await sleep(100);
  }
  return { name: 'redis', port, pid: child.pid, child, logFile, url: `redis://127.0.0.1:${port}` };
}

function tail(file, lines = 15) {
  try { return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

export async function stopServer(server, { graceMs = 3000 } = {}) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export function killAll() {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  children.clear();
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\nbench: ${sig}, stopping child processes`);
    killAll();
    process.exit(128 + constants.signals[sig]);
  });
}
