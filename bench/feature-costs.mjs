// What each feature of the gateway costs a request: node bench/feature-costs.mjs (after npm run build).
//
// One process (pinned to core 0) holds the whole gateway and copies of it with one feature taken out
// each (./lib/variant-loader.mjs swaps a module for a stand-in, so the product needs no switch), each on
// its own port, through real HTTP. They are loaded in turn by this process (core 1, with the stub PACE),
// in interleaved rounds, with a new account and token per request; what a variant saves is the whole
// gateway's CPU per request minus the variant's, both read from the host's /proc/<pid>/stat in the
// same round. Two copies of the whole gateway measure the method's own noise (`all (again)`).
// FEATURES_MODE=in-process measures with less noise: each variant in a process of its own, answering
// whole requests through Yoga's fetch from that same process (./lib/feature-fetch.mjs: no HTTP server,
// no load generator beside it, no other variant's code in its JIT), a fresh process per round.
// Knobs: FEATURES_ROUNDS (8), FEATURES_SECONDS (2), BENCH_CONNECTIONS (50), FEATURES_ONLY (comma list),
// FEATURES_MODE (http or in-process), FEATURES_CALLS (2000 requests per timed run, in-process).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer } from './lib/procs.mjs';
import { defineTargets, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';
import { checkOnce, measure } from './lib/load.mjs';
import { FEATURES } from './lib/features.mjs';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const rounds = Number(process.env.FEATURES_ROUNDS || 8);
const seconds = Number(process.env.FEATURES_SECONDS || 2);
const connections = Number(process.env.BENCH_CONNECTIONS || 50);
const only = process.env.FEATURES_ONLY?.split(',').map((name) => name.trim());
const pinned = process.env.BENCH_PIN !== '0' && spawnSync('taskset', ['-p', '-c', '1', String(process.pid)]).status === 0;
const log = (name) => here(`results/logs/${name}.log`);

if (!existsSync(here('../dist/gateway.js'))) throw new Error('dist/ not built: run `npm run build` first');
const variants = Object.fromEntries(Object.entries(FEATURES).filter(([name]) => !only || name === 'all' || name === 'all (again)' || only.includes(name)));

const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: log('stub'), ...(pinned && { cpus: '1' }) });
const gatewayTarget = defineTargets({ stubPort: stub.port }).find((target) => target.name === 'gateway');
const cpu = process.env.FEATURES_MODE === 'in-process' ? await measureInProcess() : await measureOverHttp();
await stopServer(stub);

const minimal = cpu.has('yoga-minimal (reference)');
const median = (values) => {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};
const all = cpu.get('all');
const savedPerRound = (name) => cpu.get(name).map((us, round) => all[round] - us);
const ratioToMinimal = (name) => (minimal ? median(cpu.get(name).map((us, round) => us / cpu.get('yoga-minimal (reference)')[round])) : undefined);
const how = process.env.FEATURES_MODE === 'in-process'
  ? `${process.env.FEATURES_CALLS || 2000} requests through Yoga's fetch, 20 in flight, a process per variant`
  : `${seconds} s, ${connections} connections, one host process`;
console.log(`\nCPU per request (µs; medians of ${rounds} rounds of ${how}${pinned ? ', pinned to core 0' : ''})\n`);
console.log('| variant | µs/request | saves (µs) | share of the gateway | saves per round (µs) |' + (minimal ? ' ÷ yoga-minimal |' : ''));
console.log('|---|---:|---:|---:|---|' + (minimal ? '---:|' : ''));
for (const name of cpu.keys()) {
  const saved = name.endsWith('(reference)') ? undefined : median(savedPerRound(name));
  const cells = [
    name,
    median(cpu.get(name)),
    saved === undefined || name === 'all' ? '' : saved,
    saved === undefined || name === 'all' ? '' : `${((saved / median(all)) * 100).toFixed(1)} %`,
    saved === undefined || name === 'all' ? '' : savedPerRound(name).join(' '),
  ];
  if (minimal) cells.push(ratioToMinimal(name)?.toFixed(2));
  console.log(`| ${cells.join(' | ')} |`);
}
for (const [name, variant] of Object.entries(variants)) if (variant.what) console.log(`\n- ${name}: ${variant.what}`);

/** The host process: every variant on its own port; resolves with their ports once all listen. */
async function startHost(variantsToHost, env) {
  mkdirSync(here('results/logs'), { recursive: true });
  const out = openSync(log('feature-host'), 'w');
  const entry = [process.execPath, '--import', here('lib/variant-loader.mjs'), here('lib/feature-host.mjs')];
  const [command, args] = pinned ? ['taskset', ['-c', '0', ...entry]] : [entry[0], entry.slice(1)];
  const child = spawn(command, args, {
    env: { ...process.env, NODE_ENV: 'production', ...env, FEATURE_VARIANTS: JSON.stringify(variantsToHost) },
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  const ports = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`feature host exited (${code}); see ${log('feature-host')}`)));
  });
  return { child, pid: child.pid, ports };
}

/** The default: every variant served by one host process through real HTTP, loaded by autocannon. */
async function measureOverHttp() {
  const host = await startHost(variants, { PACE_API_URL: gatewayTarget.env.PACE_API_URL });
  const minimal = existsSync(here('servers/yoga-minimal.mjs'))
    ? await startServer({ name: 'yoga-minimal', entry: here('servers/yoga-minimal.mjs'), env: { PACE_API_URL: gatewayTarget.env.PACE_API_URL }, logFile: log('yoga-minimal'), ...(pinned && { cpus: '0' }) })
    : undefined;

  const targets = Object.keys(variants).map((name) => ({ ...gatewayTarget, name, port: host.ports[name], pid: host.pid }));
  if (minimal) targets.push({ ...gatewayTarget, name: 'yoga-minimal (reference)', port: minimal.port, pid: minimal.pid });
  for (const target of targets) {
    const why = await checkOnce(target);
    if (why) throw new Error(`${target.name} answers wrong: ${why}`);
    await measure(target, { connections, seconds: 1 }); // warm-up
  }

  const cpu = new Map(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const m = await measure(target, { connections, seconds });
      if (m.errors || m.non2xx || m.mismatches) console.warn(`${target.name}: ${m.errors} errors, ${m.non2xx} non-2xx, ${m.mismatches} bad bodies`);
      cpu.get(target.name)[round] = m.cpuUsPerRequest;
    }
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
  }
  await stopServer(host);
  if (minimal) await stopServer(minimal);
  return cpu;
}

/** FEATURES_MODE=in-process: a process per variant and round, driving its own requests (./lib/feature-fetch.mjs). */
async function measureInProcess() {
  const names = [...Object.keys(variants), ...(existsSync(here('servers/yoga-minimal.mjs')) ? ['yoga-minimal (reference)'] : [])];
  const cpu = new Map(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) cpu.get(name)[round] = await fetchRun(name);
    // Each variant's process this round: a process that fell into a slow state shows here, not in the medians.
    process.stderr.write(`round ${round + 1}/${rounds}: ${names.map((name) => `${name} ${cpu.get(name)[round]}`).join(', ')}\n`);
  }
  return cpu;
}

function fetchRun(name) {
  const out = openSync(log('feature-fetch'), 'a');
  const entry = [process.execPath, '--import', here('lib/variant-loader.mjs'), here('lib/feature-fetch.mjs')];
  const [command, args] = pinned ? ['taskset', ['-c', '0', ...entry]] : [entry[0], entry.slice(1)];
  const child = spawn(command, args, {
    env: { ...process.env, NODE_ENV: 'production', PACE_API_URL: gatewayTarget.env.PACE_API_URL, FEATURE_NAME: name, FEATURE_VARIANTS: JSON.stringify(variants) },
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(Math.round(message.us)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`${name} exited (${code}); see ${log('feature-fetch')}`)));
  });
}
