// What the guard's Redis store costs the gateway, item by item, in this process's own CPU (redis-server's
// is its own process, not counted): node bench/redis-costs.mjs (after npm run build). A local
// redis-server on a free port (no persistence). Each A/B pair is measured interleaved (A, B, A, B, …),
// each turn `calls` calls with 20 in flight; a row is the median of its turns.
// Knobs: REDIS_COSTS_RUNS (7), REDIS_COSTS_CALLS (20000; whole-request rows: a quarter), REDIS_COSTS_ONLY
// (a substring: only the sections whose title has it).
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { startRedisServer, startServer, stopServer } from './lib/procs.mjs';
import { cpuPerCall, wholeCreateOtp } from './lib/in-process.mjs';
import { OTP_PATH_PREFIX, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';

const dist = (module) => new URL(`../dist/${module}`, import.meta.url).href;
if (!existsSync(fileURLToPath(dist('gateway.js')))) throw new Error('dist/ not built: run `npm run build` first');
const { pino } = await import('pino');
const { Redis } = await import('ioredis');
const { createLogger } = await import(dist('logger.js'));
const { GatewayMetrics } = await import(dist('observability/metrics.js'));
const { MemoryGuardStore } = await import(dist('security/guard-store.js'));
const { RedisGuardStore } = await import(dist('security/redis-guard-store.js'));
const { PinGuard } = await import(dist('security/pin-guard.js'));
const { GUARD } = await import(dist('security/redis-scripts.js'));
const { createGateway } = await import(dist('gateway.js'));
const { loadConfig } = await import(dist('config.js'));

const runs = Number(process.env.REDIS_COSTS_RUNS || 7);
const calls = Number(process.env.REDIS_COSTS_CALLS || 20_000);
const only = process.env.REDIS_COSTS_ONLY ?? '';
const IN_FLIGHT = 20;
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const quiet = () => createLogger('info', pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 }));

const redis = await startRedisServer({ logFile: fileURLToPath(new URL('results/logs/redis-costs-redis.log', import.meta.url)) });
if (redis === null) throw new Error('redis-server is not installed');

const rows = [];
/** Measures `fns` (name → fn) interleaved, one turn each per run; pushes a row per name. */
async function interleaved(title, fns, { n = calls } = {}) {
  if (!title.includes(only)) return;
  const samples = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  const batching = {};
  for (const fn of Object.values(fns)) await cpuPerCall(fn, { n, inFlight: IN_FLIGHT, runs: 1, warmups: 1 }); // JIT
  for (let run = 0; run < runs; run++) {
    for (const [name, fn] of Object.entries(fns)) {
      const before = await serverStats();
      samples[name].push(await cpuPerCall(fn, { n, inFlight: IN_FLIGHT, runs: 1, warmups: 0 }));
      const after = await serverStats();
      const commands = after.commands - before.commands - 1;
      batching[name] = commands === 0 ? '' : `${(commands / n).toFixed(1)} commands/call, ${(commands / (after.reads - before.reads)).toFixed(1)} per read`;
    }
  }
  rows.push([title]);
  const first = Object.values(samples)[0];
  for (const [name, values] of Object.entries(samples)) {
    // Against the section's first row, turn by turn (the turns of one run ran side by side).
    const ratio = values === first ? '' : `×${median(values.map((v, i) => v / first[i])).toFixed(2)} of the first, `;
    rows.push([`  ${name}`, median(values), values, ratio + batching[name]]);
  }
}

/** redis-server's counts: commands run, and read events (one per batch of commands that arrived together). */
async function serverStats() {
  const info = await stats.info('stats');
  const field = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)[1]);
  return { commands: field('total_commands_processed'), reads: field('total_reads_processed') };
}

const client = (options = {}) => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout: 1000, ...options });
  c.defineCommand('trivial', { numberOfKeys: 1, lua: 'return 1' });
  c.defineCommand('guard', { numberOfKeys: 2, lua: GUARD });
  c.defineCommand('guardBatch', { lua: GUARD });
  return c;
};
const auto = client();
const autoNoTimeout = client({ commandTimeout: undefined });
const direct = client({ enableAutoPipelining: false });
const stats = new Redis(redis.url);
await Promise.all([auto.ping(), autoNoTimeout.ping(), direct.ping(), stats.ping()]);

// ioredis alone: a command's cost by itself, whatever it runs on the server.
await interleaved('ioredis, one command (20 in flight)', {
  'GET, autopipelined, commandTimeout 1 s (as the store)': (i) => auto.get(`k${i}`),
  'GET, autopipelined, no commandTimeout': (i) => autoNoTimeout.get(`k${i}`),
  'GET, not autopipelined': (i) => direct.get(`k${i}`),
  'script `return 1` (EVALSHA), autopipelined': (i) => auto.trivial(`k${i}`),
  'script `return 1` (EVALSHA), not autopipelined': (i) => direct.trivial(`k${i}`),
});

// The store's script, one entry a call (as on a cluster), by ioredis itself.
const keys = (account) => [`pace-otp-gateway:{${account}}:failures`, `pace-otp-gateway:{${account}}:inflight`];
const beginEnd = (c) => async (i) => {
  await c.guard(...keys(`a${i}`), 10_000, 'begin', 5, 900_000, `slot-${i}`);
  await c.guard(...keys(`a${i}`), 10_000, 'success', 0, 900_000, `slot-${i}`);
};
// As the store sends them on a standalone server: the 20 begins, then the 20 ends, of one turn in one call.
const batched = (what) => Array.from({ length: IN_FLIGHT }, (_, j) => [...keys(`a${j}`), what, 5, 900_000, `slot-${j}`]);
const batchCall = (entries) => direct.guardBatch(2 * entries.length, ...entries.flatMap(([f, k]) => [f, k]), 10_000, ...entries.flatMap(([, , ...rest]) => rest));
const [begins, ends] = [batched('begin'), batched('success')];
await interleaved('the script by ioredis, begin + end of a check (20 in flight)', {
  'a call per begin and per end, autopipelined (the store before)': beginEnd(auto),
  'a call per begin and per end, not autopipelined': beginEnd(direct),
  '20 begins in one call, then 20 ends in one call (per check)': async (i) => {
    if (i % IN_FLIGHT !== 0) return;
    await batchCall(begins);
    await batchCall(ends);
  },
});

// The guard around a check that answers at once: memory store against the Redis store.
const check = () => Promise.resolve(1);
const memoryGuard = new PinGuard({ store: new MemoryGuardStore(), pinMaxFailures: 5, pinFailureWindowSeconds: 900 });
const redisStore = new RedisGuardStore({ seeds: [new URL(redis.url)], inFlightTtlMs: 10_000, logger: quiet() });
const redisGuard = new PinGuard({ store: redisStore, pinMaxFailures: 5, pinFailureWindowSeconds: 900 });
await redisGuard.checkReady();
await interleaved('the PIN guard around a check that answers at once (20 in flight)', {
  'memory store': (i) => memoryGuard.guard(`m${i}`, check),
  'Redis store': (i) => redisGuard.guard(`r${i}`, check),
  'Redis store, begin alone': (i) => redisStore.begin(`b${i}`, `slot-${i}`, 5, 900),
});

// Whole createOtp requests through yoga.fetch (a new account and token each), PACE = the bench stub.
const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: fileURLToPath(new URL('results/logs/redis-costs-stub.log', import.meta.url)), ipc: false });
const base = new URL(`http://127.0.0.1:${stub.port}${OTP_PATH_PREFIX}`);
const gatewayWith = (env) => createGateway({ ...loadConfig({ NODE_ENV: 'production', PACE_API_URL: base.href, ...env }), paceApiUrl: base }, { logger: quiet(), metrics: new GatewayMetrics() });
const memoryGateway = gatewayWith({});
const redisGateway = gatewayWith({ REDIS_URL: redis.url });
await interleaved('whole request through yoga.fetch (20 in flight)', {
  'the gateway (memory store)': wholeCreateOtp(memoryGateway, 'rc-memory'),
  'the gateway, Redis store': wholeCreateOtp(redisGateway, 'rc-redis'),
}, { n: calls / 4 });

await Promise.all([memoryGateway.dispose(), redisGateway.dispose(), memoryGuard.close(), redisGuard.close()]);
await Promise.all([auto.quit(), autoNoTimeout.quit(), direct.quit(), stats.quit()]);
await stopServer(stub);
await stopServer(redis);

console.log(`\nµs of this process's CPU per call, median of ${runs} interleaved turns (${calls} calls each; whole requests ${calls / 4}), ${IN_FLIGHT} in flight\n`);
for (const [what, us, values, batching] of rows) {
  if (us === undefined) console.log(what);
  else console.log(`${us.toFixed(2).padStart(8)}  ${what.padEnd(56)} [${values.map((v) => v.toFixed(1)).join(' ')}] ${batching}`);
}
