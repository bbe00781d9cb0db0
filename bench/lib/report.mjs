// Medians, the tables, the ratios and goals as printed, and the JSON file.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { median } from './stats.mjs';

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

export function printTable(results) {
  const head = ['target', 'status', 'req/s', 'spread', 'cpu µs/req', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'bad body'];
  const rows = Object.entries(results).map(([name, r]) => {
    const m = r.median;
    const label = r.info ? `${name} (info)` : name;
    return m
      ? [label, r.status, m.reqPerSec, `${m.spreadPct}%`, m.cpuUsPerRequest ?? '-', m.p50, m.p99, m.errors, m.non2xx, m.mismatches].map(String)
      : [label, r.status, ...head.slice(2).map(() => '-')];
  });
  console.log('');
  printColumns(head, rows, 2);
  for (const [name, r] of Object.entries(results)) if (r.reason) console.log(`  ${name}: ${r.status}: ${r.reason}`);
}

/**
 * CPU per request of every target in every round (the server's own user + system time over the run ÷
 * the requests it answered), each beside its ratio to `reference` in the same round.
 */
export function printCpu(results, reference = 'yoga-minimal') {
  const ref = results[reference]?.status === 'ok' ? results[reference].rounds : [];
  const rows = Object.entries(results).filter(([, r]) => r.rounds.some((m) => m.cpuUsPerRequest != null));
  if (!rows.length) return;
  const roundNumbers = [...new Set(rows.flatMap(([, r]) => r.rounds.map((m) => m.round)))].sort((a, b) => a - b);
  const ratioIn = (m) => {
    const base = ref.find((x) => x.round === m.round)?.cpuUsPerRequest;
    return base && m.cpuUsPerRequest != null ? m.cpuUsPerRequest / base : null;
  };
  const cell = (us, ratio) => (us == null ? '-' : `${Math.round(us)}${ratio == null ? '' : ` x${ratio.toFixed(2)}`}`);
  const head = ['target', ...roundNumbers.map((n) => `round ${n}`), 'median'];
  const table = rows.map(([name, r]) => {
    const byRound = roundNumbers.map((n) => r.rounds.find((m) => m.round === n));
    const ratios = byRound.filter(Boolean).map(ratioIn).filter((x) => x != null);
    return [name, ...byRound.map((m) => (m ? cell(m.cpuUsPerRequest, ratioIn(m)) : '-')), cell(r.median?.cpuUsPerRequest, ratios.length ? median(ratios) : null)];
  });
  console.log(`\nCPU per request, µs (server's user + system time / requests answered); x = ÷ ${reference} in the same round, median column = medians of the rounds`);
  printColumns(head, table);
}

/** A text table: the first `leftAligned` columns padded right, the numbers padded left. */
function printColumns(head, rows, leftAligned = 1) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i < leftAligned ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  rows.forEach((row) => console.log(line(row)));
}

const rangeOf = (r, digits) => (r.perRound.length ? `[${Math.min(...r.perRound).toFixed(digits)} - ${Math.max(...r.perRound).toFixed(digits)}]  rounds ${r.perRound.map((x) => x.toFixed(digits)).join(' ')}` : '');

export function printRatios(list) {
  console.log('\nratios within each round; headline = median of the per-round ratios [min - max], then every round');
  for (const r of list) {
    if (r.abOnly && r.value === null) continue; // an A/B row without its baseline
    const value = r.value === null ? '-' : r.value.toFixed(2);
    const dry = r.dryRounds ? `  (token pool ran dry in round ${r.dryRounds.join(', ')}: a floor there)` : '';
    console.log(`${r.name.padEnd(47)} ${value.padStart(6)}  (target ${r.goal})  ${r.verdict}${r.why ? `: ${r.why}` : ''}  ${rangeOf(r, 2)}${dry}`);
  }
}

export function printLatency(latency, added) {
  if (!Object.keys(latency).length) return;
  console.log('\n1 connection, sequential requests (ms, medians over rounds of each round\'s percentile)');
  for (const [name, rounds] of Object.entries(latency)) {
    const med = (k) => median(rounds.map((m) => m[k]).filter((x) => x !== null)).toFixed(3);
    const bad = rounds.reduce((n, m) => n + m.wrong + m.errors, 0);
    console.log(`  ${name.padEnd(18)} p50 ${med('p50')}  p90 ${med('p90')}  p99 ${med('p99')}  requests ${rounds.reduce((n, m) => n + m.requests, 0)}  wrong/errors ${bad}`);
  }
  for (const r of added) {
    const value = r.value === null ? '-' : `${r.value.toFixed(3)} ms`;
    console.log(`${r.name.padEnd(47)} ${value.padStart(9)}  (target ${r.goal ?? 'info'})  ${r.verdict}  ${rangeOf(r, 3)}`);
  }
}

export function printGoals({ rows, moonshot }) {
  const met = rows.filter((r) => r.verdict === 'PASS').length;
  const open = rows.filter((r) => r.verdict === 'n/a').length;
  console.log(`\ngoals (issue 19; gateway-verified: issue 20): ${met} of ${rows.length} met${open ? `, ${open} not measured` : ''}`);
  for (const r of rows) {
    const value = r.value === null ? '-' : typeof r.value === 'number' ? (r.goal?.endsWith('ms') ? `${r.value.toFixed(3)} ms` : r.value.toFixed(2)) : r.value;
    const dry = r.dryRounds ? `  token pool ran dry in round ${r.dryRounds.join(', ')}` : '';
    console.log(`  ${r.verdict.padEnd(4)}  ${r.name.padEnd(45)} ${value}  (target ${r.goal})${r.why ? `  ${r.why}` : ''}${dry}`);
  }
  if (moonshot) console.log(`  moonshot, for information: ${moonshot.name.replace(' (moonshot)', '')} ${moonshot.value === null ? '-' : moonshot.value.toFixed(2)} (<= 1.0): ${moonshot.verdict}`);
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
