// `npm start`'s time to ready on a restart (dist/ current): from spawning `npm start` to the start-up
// line "GraphQL gateway ready", RUNS times (default 10), each on free ports, then SIGTERM to its
// process group. Prints each run, min / median / max and the load average (the number moves with it).
// `node bench/start-time.mjs` from the repository root; any other command: `-- node dist/server.js`.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';

const runs = Number(process.env.RUNS ?? 10);
const separator = process.argv.indexOf('--');
const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : ['npm', 'start', '--silent'];

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// dist/ current first: the runs measure restarts, not the compile.
if (spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const load = loadavg()[0];
const times = [];
for (let run = 0; run < runs; run += 1) {
  const env = { ...process.env, PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()), HOST: '127.0.0.1' };
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('GraphQL gateway ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready:\n${output}`)));
  });
  times.push(performance.now() - started);
  const exited = once(child, 'exit');
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}
const sorted = [...times].sort((a, b) => a - b);
const ms = (value) => value.toFixed(0);
console.log(`${command} ${args.join(' ')}: ${times.map(ms).join(' ')} ms`);
console.log(`min ${ms(sorted[0])}, median ${ms(sorted[Math.floor(sorted.length / 2)])}, max ${ms(sorted.at(-1))} ms; load average ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)} (${cpus().length} cores)`);
