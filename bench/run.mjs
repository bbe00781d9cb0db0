// npm run bench: interleaved throughput rounds + a memory run; see README.md.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRedisServer, startServer, stopServer } from './lib/procs.mjs';
import { defineTargets, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';
import { checkOnce, latencyRun, measure } from './lib/load.mjs';
import { memoryRun } from './lib/memory.mjs';
import { summarize, printTable, printCpu, printRatios, printLatency, printGoals, machine, writeJson } from './lib/report.mjs';
import { ratios, addedLatency, goals } from './lib/goals.mjs';

const num = (name, dflt) => {
  const v = process.env[name] === undefined || process.env[name] === '' ? dflt : Number(process.env[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number >= 0, got ${process.env[name]}`);
  return v;
};
const config = {
  connections: num('BENCH_CONNECTIONS', 50),
  seconds: num('BENCH_DURATION', 10),
  rounds: num('BENCH_ROUNDS', 5),
  warmupSeconds: num('BENCH_WARMUP', 3),
  memorySeconds: num('BENCH_MEMORY_SECONDS', 60),
  latencySeconds: num('BENCH_LATENCY_SECONDS', 5),
  tokens: tokenMix(),
  freshProcesses: process.env.BENCH_FRESH_PROCESSES !== '0',
  targets: process.env.BENCH_TARGETS?.split(',').map((s) => s.trim()).filter(Boolean) ?? null,
  pinning: pinning(),
};

/** BENCH_TOKENS: `per-request` (default, a new account and token on every request) or `per-connection`. */
function tokenMix() {
  const mix = process.env.BENCH_TOKENS || 'per-request';
  if (mix !== 'per-request' && mix !== 'per-connection') throw new Error(`BENCH_TOKENS must be per-request or per-connection, got ${mix}`);
  return mix;
}

/**
 * Each server under test gets core 0 to itself; the load generator (this process) and the stub share
 * the other cores. Unpinned, the three contend for both cores, so a target's throughput also measures
 * how much CPU autocannon and the stub take from it (which squeezes every ratio toward 1) and how the
 * scheduler happens to place them. BENCH_PIN=0 turns it off.
 */
function pinning() {
  const count = os.cpus().length;
  if (process.env.BENCH_PIN === '0' || count < 2 || spawnSync('taskset', ['-V']).status !== 0) return null;
  const others = count === 2 ? '1' : `1-${count - 1}`;
  if (spawnSync('taskset', ['-a', '-p', '-c', others, String(process.pid)]).status !== 0) return null;
  return { servers: '0', loadAndStub: others };
}
const logFile = (name) => fileURLToPath(new URL(`results/logs/${name}.log`, import.meta.url));
const signed = (m) => (m.presigned === undefined ? '' : `  (tokens signed before the run: ${m.presigned} in ${m.signSeconds} s, during it: ${m.inlineSigned})`);
const fmt = (m) => `${String(Math.round(m.reqPerSec)).padStart(6)} req/s  ${m.cpuUsPerRequest == null ? '' : `cpu ${m.cpuUsPerRequest} µs/req  `}p50 ${m.p50} ms  p99 ${m.p99} ms  errors ${m.errors}  non-2xx ${m.non2xx}  bad body ${m.mismatches}${signed(m)}`;

async function main() {
  const date = new Date().toISOString();
  const facts = machine();
  console.log(`bench ${date}: ${facts.cpuCount} x ${facts.cpuModel}, ${facts.totalMemMiB} MiB, node ${facts.node}`);
  if (facts.loadAvg1mAtStart > facts.cpuCount / 2) {
    console.log(`warning: the machine is busy (load average ${facts.loadAvg1mAtStart} on ${facts.cpuCount} cores): expect noisy numbers`);
  }
  console.log(`connections ${config.connections}, ${config.seconds} s x ${config.rounds} rounds, ${config.freshProcesses ? 'fresh processes each round' : 'one process per target for all rounds'}, warm-up ${config.warmupSeconds} s, tokens ${config.tokens}, 1-connection run ${config.latencySeconds} s x ${config.rounds} rounds, memory run ${config.memorySeconds} s`);
  console.log(config.pinning ? `pinned: servers on cpu ${config.pinning.servers}, load generator and stub on cpu ${config.pinning.loadAndStub}` : 'not pinned (BENCH_PIN=0, one core, or no taskset)');

  const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: logFile('stub'), cpus: config.pinning?.loadAndStub });
  // The gateway-redis target's store, beside the stub (the gateway under test keeps its core to itself).
  const redis = await startRedisServer({ logFile: logFile('redis'), cpus: config.pinning?.loadAndStub });
  const all = defineTargets({ stubPort: stub.port, redisUrl: redis?.url });
  const unknown = (config.targets ?? []).filter((n) => !all.some((t) => t.name === n));
  if (unknown.length) throw new Error(`unknown BENCH_TARGETS ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`);
  const targets = all.filter((t) => !config.targets || config.targets.includes(t.name));

  const results = {};
  const servers = [stub, ...(redis ? [redis] : [])];
  const fail = (t, status, reason) => {
    Object.assign(results[t.name], { status, reason });
    console.log(`${t.name}: ${status.toUpperCase()}: ${reason}`);
  };

  // Each round starts every target afresh (BENCH_FRESH_PROCESSES=0: once, kept for all rounds). V8
  // settles some of a process's choices early and keeps them for its life (fake promises,
  // pretenuring: docs/performance.md), so one process per target would measure one draw of those.
  const running = new Map();
  const start = async (t) => {
    const old = running.get(t.name);
    if (old) await stopServer(old);
    try {
      const server = await startServer({ name: t.name, entry: t.entry, env: t.env, ipc: t.ipc ?? true, logFile: logFile(t.name), cpus: config.pinning?.servers });
      running.set(t.name, server);
      Object.assign(t, { port: server.port, pid: server.pid });
    } catch (err) {
      running.delete(t.name);
      fail(t, 'failed', err.message);
    }
  };
  for (const t of targets) {
    results[t.name] = { status: 'ok', info: Boolean(t.info), reason: null, rounds: [], median: null };
    if (t.skipReason) { fail(t, 'skipped', t.skipReason); continue; }
    if (t.entry) await start(t);
  }

  const live = () => targets.filter((t) => results[t.name].status === 'ok');
  for (let round = 1; round <= config.rounds; round++) {
    console.log(`\nround ${round}/${config.rounds}`);
    // Every other round in reverse order: a slow spell of the machine lasts tens of seconds, and a fixed
    // order would always put the same targets side by side in it.
    for (const t of round % 2 ? live() : live().reverse()) {
      const fresh = round === 1 || (config.freshProcesses && t.entry);
      if (round > 1 && fresh) {
        await start(t);
        if (results[t.name].status !== 'ok') continue;
      }
      const why = await checkOnce(t);
      if (why) { fail(t, 'failed', `wrong answer before timing (round ${round}): ${why}`); continue; }
      const load = { connections: config.connections, tokens: config.tokens };
      if (fresh && config.warmupSeconds > 0) await measure(t, { ...load, seconds: config.warmupSeconds });
      const m = { round, ...(await measure(t, { ...load, seconds: config.seconds })) };
      results[t.name].rounds.push(m);
      console.log(`  ${t.name.padEnd(22)} ${fmt(m)}`);
    }
  }
  for (const t of targets) {
    const r = results[t.name];
    if (r.rounds.length) r.median = summarize(r.rounds);
    if (r.status === 'ok' && r.median && r.median.non2xx + r.median.mismatches > 0) {
      fail(t, 'wrong-answers', `${r.median.non2xx} non-2xx and ${r.median.mismatches} wrong bodies under load`);
    }
    const inline = r.rounds.reduce((n, m) => n + (m.inlineSigned ?? 0), 0);
    if (inline) console.log(`warning: ${t.name}: ${inline} tokens were signed during timed runs (the pool ran dry): the load generator was slowed, its req/s is a floor`);
  }

  const latency = await runLatency(live());
  const added = addedLatency(latency);

  const memory = await runMemory(targets.find((t) => t.name === 'gateway'), results);

  printTable(results);
  printCpu(results);
  const ratioList = ratios(results);
  printRatios(ratioList);
  printLatency(latency, added);
  if (memory.growthPct !== undefined) {
    console.log(`gateway RSS over ${memory.seconds} s (${memory.samples} samples): first ${memory.firstMiB} MiB, last ${memory.lastMiB} MiB, max ${memory.maxMiB} MiB (last/first ${memory.rawGrowthPct}%)`);
    console.log(`gateway RSS floor growth (lowest of first ${memory.floorWindow} vs last ${memory.floorWindow} samples: ${memory.firstFloorMiB} -> ${memory.lastFloorMiB} MiB) ${memory.growthPct}%  (target < 10%)  ${memory.verdict}${memory.reason ? `: ${memory.reason}` : ''}`);
  } else {
    console.log(`memory run: ${memory.verdict}: ${memory.reason}`);
  }

  const goalList = goals({ ratioList, added, memory, results, latency });
  printGoals(goalList);

  facts.loadAvg1mAtEnd = Math.round(os.loadavg()[0] * 100) / 100;
  const file = writeJson({ date, machine: facts, config, targets: results, ratios: ratioList, latency, addedLatency: added, memory, goals: goalList });
  console.log(`\nwrote ${file} and results/latest.json`);
  await Promise.all([...servers, ...running.values()].map(stopServer));
}

/**
 * The 1-connection run: interleaved rounds of direct, raw-proxy, yoga-minimal and gateway (and yoga-floor
 * for information: the framework's own per-request time, with no upstream call), one request at a time.
 */
async function runLatency(live) {
  const latency = {};
  const chosen = ['direct', 'raw-proxy', 'yoga-minimal', 'gateway', 'yoga-floor', 'yoga-floor-framed'].map((n) => live.find((t) => t.name === n)).filter(Boolean);
  if (config.latencySeconds === 0 || !chosen.length) return latency;
  console.log(`\n1-connection run: ${chosen.map((t) => t.name).join(', ')}, ${config.latencySeconds} s each, ${config.rounds} rounds`);
  for (let round = 1; round <= config.rounds; round++) {
    for (const t of chosen) {
      if (round === 1) await latencyRun(t, { seconds: Math.min(2, config.latencySeconds) }); // warm the connection and the JIT
      const m = { round, ...(await latencyRun(t, { seconds: config.latencySeconds })) };
      (latency[t.name] ??= []).push(m);
      console.log(`  round ${round} ${t.name.padEnd(18)} p50 ${m.p50} ms  p90 ${m.p90} ms  p99 ${m.p99} ms  (${m.requests} requests, ${m.wrong} wrong, ${m.errors} errors)`);
    }
  }
  return latency;
}

async function runMemory(gateway, results) {
  if (config.memorySeconds === 0) return { verdict: 'skipped', reason: 'BENCH_MEMORY_SECONDS=0' };
  if (!gateway) return { verdict: 'skipped', reason: 'gateway not in BENCH_TARGETS' };
  if (results.gateway.status !== 'ok') return { verdict: 'skipped', reason: `gateway ${results.gateway.status}` };
  console.log(`\nmemory run: gateway under load for 10 s + ${config.memorySeconds} s, RSS sampled every second`);
  try {
    const mem = await memoryRun(gateway, { connections: config.connections, seconds: config.memorySeconds, tokens: config.tokens });
    const clean = mem.load.non2xx + mem.load.mismatches === 0;
    const verdict = !clean ? 'FAIL' : mem.growthPct < 10 ? 'PASS' : 'FAIL';
    return { verdict, ...(clean ? {} : { reason: 'wrong answers during the memory run' }), ...mem };
  } catch (err) {
    return { verdict: 'FAIL', reason: err.message };
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench: harness error: ${err.stack ?? err}`);
    process.exit(1);
  },
);
