// The goals (issue 19's, and issue 20's verified ratio) and the ratios for information: each ratio is
// taken within a round (both targets share that moment's noise); the headline is the median of the
// per-round ratios, with their range and every round's value.
import { median } from './stats.mjs';

const goal = (name, a, b, metric, op, value) => ({ name, a, b, metric, op, goal: value });
const info = (name, a, b, metric, op) => ({ name, a, b, metric, op, goal: null });
const throughput = (a, b) => `${a}/${b} throughput`;
const cpu = (a, b) => `${a}/${b} cpu per request`;

const RATIOS = [
  goal(cpu('gateway', 'yoga-minimal'), 'gateway', 'yoga-minimal', 'cpuUsPerRequest', '<=', 1.25),
  goal(throughput('gateway', 'apollo'), 'gateway', 'apollo', 'reqPerSec', '>=', 1.5),
  goal(throughput('gateway', 'yoga-floor'), 'gateway', 'yoga-floor', 'reqPerSec', '>=', 1.0),
  goal(throughput('gateway-redis', 'gateway'), 'gateway-redis', 'gateway', 'reqPerSec', '>=', 0.85),
  goal(throughput('gateway-otel', 'gateway'), 'gateway-otel', 'gateway', 'reqPerSec', '>=', 0.85),
  goal(throughput('gateway-verified', 'gateway'), 'gateway-verified', 'gateway', 'reqPerSec', '>=', 0.85),
  // Issue 19's moonshot: as cheap as the plain Yoga gateway. Printed against 1.0, never a verdict.
  { ...goal(`${cpu('gateway', 'yoga-minimal')} (moonshot)`, 'gateway', 'yoga-minimal', 'cpuUsPerRequest', '<=', 1.0), moonshot: true },
  info(throughput('gateway', 'yoga-minimal'), 'gateway', 'yoga-minimal', 'reqPerSec', '>='),
  info(throughput('gateway-verified-es256', 'gateway'), 'gateway-verified-es256', 'gateway', 'reqPerSec', '>='),
  info(cpu('gateway-verified', 'gateway'), 'gateway-verified', 'gateway', 'cpuUsPerRequest', '<='),
  info(cpu('gateway', 'apollo'), 'gateway', 'apollo', 'cpuUsPerRequest', '<='),
  info(cpu('apollo', 'yoga-minimal'), 'apollo', 'yoga-minimal', 'cpuUsPerRequest', '<='),
  info('gateway/yoga-floor p99', 'gateway', 'yoga-floor', 'p99', '<='),
  // What skipping Yoga's body stream gains bare Yoga (docs/performance.md), and the gateway against that floor.
  info(throughput('yoga-floor-framed', 'yoga-floor'), 'yoga-floor-framed', 'yoga-floor', 'reqPerSec', '>='),
  info(throughput('gateway', 'yoga-floor-framed'), 'gateway', 'yoga-floor-framed', 'reqPerSec', '>='),
  // An A/B of two builds (BENCH_BASELINE_ENTRY); left out of the print without its baseline.
  ...[['throughput', 'reqPerSec', '>='], ['cpu per request', 'cpuUsPerRequest', '<=']].map(([what, metric, op]) => {
    const of = process.env.BENCH_BASELINE_OF || 'gateway';
    return { ...info(`${of}/gateway-baseline ${what}`, of, 'gateway-baseline', metric, op), abOnly: true };
  }),
];
const round2 = (x) => Math.round(x * 100) / 100;
const meets = (op, value, target) => (op === '>=' ? value >= target : value <= target);

export function ratios(results) {
  return RATIOS.map(({ name, a, b, metric, op, goal: target, moonshot, abOnly }) => {
    const ra = results[a];
    const rb = results[b];
    const out = { name, goal: target === null ? 'info' : `${op} ${target.toFixed(2)}${moonshot ? ', information' : ''}`, value: null, perRound: [], ...(abOnly && { abOnly }), ...(moonshot && { moonshot }) };
    if (!ra || !rb) return { ...out, verdict: 'n/a', why: `needs ${a} and ${b} in BENCH_TARGETS` };
    if (ra.status === 'skipped') return { ...out, verdict: 'n/a', why: `${a} skipped` };
    if (rb.status !== 'ok' || !rb.median?.[metric]) return { ...out, verdict: 'n/a', why: `reference ${b} is ${rb.status}` };
    if (ra.status !== 'ok') return { ...out, verdict: target === null || moonshot ? 'n/a' : 'FAIL', why: `${a} ${ra.status}` };
    const pairs = ra.rounds
      .map((m) => ({ m, ref: rb.rounds.find((x) => x.round === m.round) }))
      .filter(({ m, ref }) => ref && ref[metric] > 0 && m[metric] != null);
    const perRound = pairs.map(({ m, ref }) => round2(m[metric] / ref[metric]));
    if (!perRound.length) return { ...out, verdict: 'n/a', why: 'no round with both targets' };
    // A round where a verified target's token pool ran dry measured the load generator too: said beside the ratio.
    const dryRounds = pairs.filter(({ m, ref }) => m.inlineSigned > 0 || ref.inlineSigned > 0).map(({ m }) => m.round);
    const value = round2(median(perRound));
    const verdict = target === null ? 'info' : moonshot ? (meets(op, value, target) ? 'met (information)' : 'not met (information)') : meets(op, value, target) ? 'PASS' : 'FAIL';
    return { ...out, value, min: Math.min(...perRound), max: Math.max(...perRound), perRound, verdict, ...(dryRounds.length && { dryRounds }) };
  });
}

// 1 connection: p50 of `a` minus p50 of `b` in the same round. The goal compares the gateway with the
// plain Yoga gateway, which pays this machine's wake-ups alike; the others, against the stub alone, inform.
const LATENCY_PAIRS = [['gateway', 'yoga-minimal', 0.15], ['gateway', 'direct', null], ['yoga-minimal', 'direct', null], ['raw-proxy', 'direct', null]];

export function addedLatency(latency) {
  return LATENCY_PAIRS.filter(([a, b]) => latency[a]?.length && latency[b]?.length).map(([a, b, goalMs]) => {
    const perRound = latency[a]
      .map((m) => ({ m, ref: latency[b].find((x) => x.round === m.round) }))
      .filter(({ m, ref }) => ref && m.p50 !== null && ref.p50 !== null)
      .map(({ m, ref }) => Math.round((m.p50 - ref.p50) * 1000) / 1000);
    const value = perRound.length ? Math.round(median(perRound) * 1000) / 1000 : null;
    const verdict = goalMs === null ? 'info' : value === null ? 'n/a' : value <= goalMs ? 'PASS' : 'FAIL';
    return { name: `${a} - ${b} p50 (1 connection)`, target: a, goal: goalMs === null ? null : `<= ${goalMs} ms`, value, perRound, verdict };
  });
}

/** Every target's errors, non-2xx and wrong bodies, under load and at 1 connection, and every failed check. */
function errorsGoal(results, latency) {
  const problems = [];
  for (const [name, r] of Object.entries(results)) {
    if (r.status === 'failed') problems.push(`${name} failed: ${r.reason}`);
    const bad = r.median ? r.median.errors + r.median.non2xx + r.median.mismatches : 0;
    if (bad) problems.push(`${name} ${bad} under load`);
  }
  for (const [name, rounds] of Object.entries(latency)) {
    const bad = rounds.reduce((n, m) => n + m.wrong + m.errors, 0);
    if (bad) problems.push(`${name} ${bad} at 1 connection`);
  }
  return { name: 'no errors (every target, every run)', value: problems.length ? problems.join('; ') : 'none', goal: 'none', verdict: problems.length ? 'FAIL' : 'PASS' };
}

/** The goals in one list: the ratio goals, the 1-connection goal, RSS flat, no errors; and the moonshot. */
export function goals({ ratioList, added, memory, results, latency }) {
  const latencyGoal = added.find((r) => r.goal !== null)
    ?? { name: 'gateway - yoga-minimal p50 (1 connection)', value: null, goal: `<= ${LATENCY_PAIRS[0][2]} ms`, verdict: 'n/a', why: 'no 1-connection run of both' };
  const rows = [
    ...ratioList.filter((r) => r.goal !== 'info' && !r.moonshot),
    latencyGoal,
    { name: 'gateway RSS floor growth', value: memory.growthPct === undefined ? null : `${memory.growthPct}%`, goal: '< 10%', verdict: memory.verdict === 'skipped' ? 'n/a' : memory.verdict, why: memory.reason },
    errorsGoal(results, latency),
  ];
  return { rows, moonshot: ratioList.find((r) => r.moonshot) };
}
