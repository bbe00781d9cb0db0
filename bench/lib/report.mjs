// Medians, the table, the ratios with their targets, and the JSON file.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

export function summarize(rounds) {
  return {
    reqPerSec: Math.round(median(rounds.map((r) => r.reqPerSec))),
    cpuUsPerRequest: rounds.every((r) => r.cpuUsPerRequest != null) ? median(rounds.map((r) => r.cpuUsPerRequest)) : null,
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    // counts are totals over all rounds: any of them is worth seeing
    errors: sum(rounds.map((r) => r.errors)),
    non2xx: sum(rounds.map((r) => r.non2xx)),
    mismatches: sum(rounds.map((r) => r.mismatches)),
    // (max - min) / median of req/s over the rounds: a large spread means a noisy machine
    spreadPct: Math.round(((Math.max(...rounds.map((r) => r.reqPerSec)) - Math.min(...rounds.map((r) => r.reqPerSec))) / median(rounds.map((r) => r.reqPerSec))) * 100),
  };
}

// Each ratio is taken within a round (both targets share that moment's noise); the headline is the
// median of the per-round ratios, with their range.
const RATIOS = [
  { name: 'gateway/apollo throughput', a: 'gateway', b: 'apollo', metric: 'reqPerSec', op: '>=', goal: 1.5 },
  { name: 'gateway/yoga-floor throughput', a: 'gateway', b: 'yoga-floor', metric: 'reqPerSec', op: '>=', goal: 0.9 },
  { name: 'gateway/yoga-floor p99', a: 'gateway', b: 'yoga-floor', metric: 'p99', op: '<=', goal: 1.5 },
  { name: 'gateway-redis/gateway throughput', a: 'gateway-redis', b: 'gateway', metric: 'reqPerSec', op: '>=', goal: 0.85 },
  { name: 'gateway-otel/gateway throughput', a: 'gateway-otel', b: 'gateway', metric: 'reqPerSec', op: '>=', goal: 0.85 },
  // Information only: the server's CPU time per request (lower is cheaper), steadier than req/s on a
  // shared machine; and an A/B of two builds (BENCH_BASELINE_ENTRY).
  { name: 'gateway/yoga-floor cpu per request', a: 'gateway', b: 'yoga-floor', metric: 'cpuUsPerRequest', op: '<=', goal: null },
  { name: 'gateway/apollo cpu per request', a: 'gateway', b: 'apollo', metric: 'cpuUsPerRequest', op: '<=', goal: null },
  { name: 'gateway-verified/gateway throughput', a: 'gateway-verified', b: 'gateway', metric: 'reqPerSec', op: '>=', goal: null },
  // What skipping Yoga's body stream gains bare Yoga (docs/performance.md), and the gateway against that floor.
  { name: 'yoga-floor-framed/yoga-floor throughput', a: 'yoga-floor-framed', b: 'yoga-floor', metric: 'reqPerSec', op: '>=', goal: null },
  { name: 'gateway/yoga-floor-framed throughput', a: 'gateway', b: 'yoga-floor-framed', metric: 'reqPerSec', op: '>=', goal: null },
  { name: 'yoga-floor-framed/apollo throughput', a: 'yoga-floor-framed', b: 'apollo', metric: 'reqPerSec', op: '>=', goal: null },
  ...[['throughput', 'reqPerSec', '>='], ['cpu per request', 'cpuUsPerRequest', '<=']].map(([what, metric, op]) => {
    const of = process.env.BENCH_BASELINE_OF || 'gateway';
    return { name: `${of}/gateway-baseline ${what}`, a: of, b: 'gateway-baseline', metric, op, goal: null };
  }),
];
const round2 = (x) => Math.round(x * 100) / 100;

export function ratios(results) {
  return RATIOS.map(({ name, a, b, metric, op, goal }) => {
    const ra = results[a];
    const rb = results[b];
    const out = { name, goal: goal === null ? 'info' : `${op} ${goal}`, value: null, perRound: [] };
    if (!ra || !rb) return { ...out, verdict: 'n/a', why: `needs ${a} and ${b} in BENCH_TARGETS` };
    if (ra.status === 'skipped') return { ...out, verdict: 'n/a', why: `${a} skipped` };
    if (rb.status !== 'ok' || !rb.median?.[metric]) return { ...out, verdict: 'n/a', why: `reference ${b} is ${rb.status}` };
    if (ra.status !== 'ok') return { ...out, verdict: 'FAIL', why: `${a} ${ra.status}` };
    const perRound = ra.rounds
      .map((m) => ({ m, ref: rb.rounds.find((x) => x.round === m.round) }))
      .filter(({ m, ref }) => ref && ref[metric] > 0 && m[metric] !== undefined)
      .map(({ m, ref }) => round2(m[metric] / ref[metric]));
    if (!perRound.length) return { ...out, verdict: 'n/a', why: 'no round with both targets' };
    const value = round2(median(perRound));
    const pass = op === '>=' ? value >= goal : value <= goal;
    const verdict = goal === null ? 'info' : pass ? 'PASS' : 'FAIL';
    return { ...out, value, min: Math.min(...perRound), max: Math.max(...perRound), perRound, verdict };
  });
}

/** Per-round added latency at 1 connection: p50 of `target` minus p50 of `direct` in the same round. */
export function addedLatency(latency, goalMs) {
  const rows = ['raw-proxy', 'gateway'].filter((name) => latency[name]?.length && latency.direct?.length).map((name) => {
    const perRound = latency[name]
      .map((m) => ({ m, ref: latency.direct.find((x) => x.round === m.round) }))
      .filter(({ m, ref }) => ref && m.p50 !== null && ref.p50 !== null)
      .map(({ m, ref }) => Math.round((m.p50 - ref.p50) * 1000) / 1000);
    const value = perRound.length ? Math.round(median(perRound) * 1000) / 1000 : null;
    const goal = name === 'gateway' ? goalMs : null;
    const verdict = goal === null ? 'info' : value === null ? 'n/a' : value <= goal ? 'PASS' : 'FAIL';
    return { name: `${name} - direct p50 (1 connection)`, target: name, goal: goal === null ? null : `<= ${goal} ms`, value, perRound, verdict };
  });
  return rows;
}

export function printTable(results) {
  const head = ['target', 'status', 'req/s', 'spread', 'cpu µs/req', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'bad body'];
  const rows = Object.entries(results).map(([name, r]) => {
    const m = r.median;
    const label = r.info ? `${name} (info)` : name;
    return m
      ? [label, r.status, m.reqPerSec, `${m.spreadPct}%`, m.cpuUsPerRequest ?? '-', m.p50, m.p99, m.errors, m.non2xx, m.mismatches].map(String)
      : [label, r.status, ...head.slice(2).map(() => '-')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  rows.forEach((row) => console.log(line(row)));
  for (const [name, r] of Object.entries(results)) if (r.reason) console.log(`  ${name}: ${r.status}: ${r.reason}`);
}

export function printRatios(list) {
  console.log('\nratios within each round; headline = median of the per-round ratios [min - max]');
  for (const r of list) {
    if (r.goal === 'info' && r.value === null) continue; // an A/B row without its baseline
    const value = r.value === null ? '-' : r.value.toFixed(2);
    const range = r.perRound.length ? `[${r.min.toFixed(2)} - ${r.max.toFixed(2)}]  rounds ${r.perRound.map((x) => x.toFixed(2)).join(' ')}` : '';
    console.log(`${r.name.padEnd(40)} ${value.padStart(6)}  (target ${r.goal})  ${r.verdict}${r.why ? `: ${r.why}` : ''}  ${range}`);
  }
}

export function printLatency(latency, added) {
  if (!Object.keys(latency).length) return;
  console.log('\n1 connection, sequential requests (ms, medians over rounds of each round\'s percentile)');
  for (const [name, rounds] of Object.entries(latency)) {
    const med = (k) => median(rounds.map((m) => m[k]).filter((x) => x !== null)).toFixed(3);
    const bad = rounds.reduce((n, m) => n + m.wrong + m.errors, 0);
    console.log(`  ${name.padEnd(10)} p50 ${med('p50')}  p90 ${med('p90')}  p99 ${med('p99')}  requests ${rounds.reduce((n, m) => n + m.requests, 0)}  wrong/errors ${bad}`);
  }
  for (const r of added) {
    const value = r.value === null ? '-' : `${r.value.toFixed(3)} ms`;
    console.log(`${r.name.padEnd(33)} ${value.padStart(9)}  ${r.goal ? `(target ${r.goal})  ` : ''}${r.verdict}  rounds ${r.perRound.map((x) => x.toFixed(3)).join(' ')}`);
  }
}

export function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    loadAvg1mAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

export function writeJson(report) {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const file = new URL(`${report.date.replaceAll(':', '-')}.json`, dir);
  writeFileSync(file, text);
  writeFileSync(new URL('latest.json', dir), text);
  return file.pathname;
}
