// Profile a target under the bench's load (distinct tokens by default): node bench/profile.mjs
// writes a .cpuprofile (node --cpu-prof) of the target (the gateway unless BENCH_PROFILE_TARGET names
// another: yoga-minimal, yoga-floor, gateway-verified, apollo, raw-proxy) to bench/results/profiles/ and prints the self time by package
// and the top self-time functions. Knobs: BENCH_PROFILE_TARGET (gateway), BENCH_PROFILE_SECONDS (15),
// BENCH_TOKENS, BENCH_CONNECTIONS (50), REDIS_URL, BENCH_PROFILE_NODE_ARGS (more V8/Node flags for the
// target, space-separated, e.g. `--trace-deopt`: their output goes to its log in results/logs/).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer } from './lib/procs.mjs';
import { defineTargets, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';
import { checkOnce, measure } from './lib/load.mjs';

const dir = fileURLToPath(new URL('results/profiles/', import.meta.url));
mkdirSync(dir, { recursive: true });
const log = (name) => fileURLToPath(new URL(`results/logs/${name}.log`, import.meta.url));
const seconds = Number(process.env.BENCH_PROFILE_SECONDS || 15);
const tokens = process.env.BENCH_TOKENS || 'per-request';
const connections = Number(process.env.BENCH_CONNECTIONS || 50);

// Pinned as bench/run.mjs pins (BENCH_PIN=0: not): the target alone on core 0, the stub and this
// process (the load generator) on the others, so that two profiles compare like the bench's rounds.
const cpuCount = os.cpus().length;
const others = cpuCount === 2 ? '1' : `1-${cpuCount - 1}`;
const pinned = process.env.BENCH_PIN !== '0' && cpuCount >= 2 && spawnSync('taskset', ['-a', '-p', '-c', others, String(process.pid)]).status === 0;
const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: log('stub'), cpus: pinned ? others : null });
const targetName = process.env.BENCH_PROFILE_TARGET || 'gateway';
const target = defineTargets({ stubPort: stub.port }).find((t) => t.name === targetName);
if (!target?.entry) throw new Error(`BENCH_PROFILE_TARGET=${targetName}: no such server target`);
const before = new Set(readdirSync(dir));
const server = await startServer({
  name: `${targetName}-profiled`,
  entry: target.entry,
  env: { ...target.env, ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }) },
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(process.env.BENCH_PROFILE_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
  ipc: false,
  logFile: log(`${targetName}-profiled`),
  cpus: pinned ? '0' : null,
});
Object.assign(target, { port: server.port, pid: server.pid });
const why = await checkOnce(target);
if (why) throw new Error(`${targetName} answers wrong: ${why}`);
await measure(target, { connections, seconds: 3, tokens }); // warm-up
// Only the timed run's samples are counted: the process also idles while it starts and while the
// verified targets' tokens are signed before each run, which would read as "(idle)" otherwise.
// V8's profile clock and hrtime are both CLOCK_MONOTONIC (µs and ns).
let window;
const m = await measure(target, { connections, seconds, tokens, onTimed: (phase) => {
  const now = Number(process.hrtime.bigint() / 1000n);
  window = phase === 'start' ? [now, Infinity] : [window[0], now];
} });
console.log(`${Math.round(m.reqPerSec)} req/s, p50 ${m.p50} ms, cpu ${m.cpuUsPerRequest} µs/req, errors ${m.errors}, non-2xx ${m.non2xx}, bad body ${m.mismatches}${m.inlineSigned ? `, ${m.inlineSigned} tokens signed during the run (the pool ran dry)` : ''}`);
// A profiled process writes its .cpuprofile on the way out: on a busy machine that can take longer than the usual 3 s.
await stopServer(server, { graceMs: 30_000 });
await stopServer(stub);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
if (!file) throw new Error('no .cpuprofile written (did the target exit cleanly?)');
const profile = JSON.parse(readFileSync(dir + file, 'utf8'));
const self = new Map();
const byOwner = new Map();
/** The package a frame belongs to (node_modules/<pkg>), the gateway's own dist/, node: internals, or the VM. */
const ownerOf = (url, name) => {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  return url.includes('/dist/') ? 'gateway (dist/)' : url.replace(/^file:\/\/.*\//, '');
};
const dt = profile.timeDeltas;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += dt[i] ?? 0;
  if (at >= window[0] && at <= window[1]) counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0));
});
if (counts.size === 0) throw new Error(`no samples in the timed window (profile ${profile.startTime}–${profile.endTime} µs, window ${window}): clocks differ?`);
let total = 0;
for (const [id, us] of counts) {
  const { callFrame: f } = byId.get(id);
  const where = f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + us);
  const owner = ownerOf(f.url, f.functionName);
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
  total += us;
}
const perRequest = (us) => (us / m.requests).toFixed(1).padStart(6);
const idle = byOwner.get('(idle)') ?? 0;
console.log(`\n${dir}${file}${pinned ? ' (pinned: target on cpu 0)' : ' (not pinned)'}\ntimed run only: ${(total / 1e6).toFixed(1)} s of samples, ${((idle / total) * 100).toFixed(1)} % idle, busy ${perRequest(total - idle)} µs per request`);
console.log('self time by owner (% of samples, µs per request):');
for (const [owner, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}% ${perRequest(us)}  ${owner}`);
console.log('\ntop self time (% of samples, µs per request):');
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}% ${perRequest(us)}  ${key}`);
