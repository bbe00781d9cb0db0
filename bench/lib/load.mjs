// One correctness check before timing, and one autocannon run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { nextAccount } from './targets.mjs';
import { sawRate } from './tokens.mjs';

const urlOf = (target) => `http://127.0.0.1:${target.port}${target.request.path}`;

/** Send the target's request once; null when the answer is the expected success, else why not. */
export async function checkOnce(target) {
  const { method, headersFor, body } = target.request;
  let res, text;
  try {
    res = await fetch(urlOf(target), { method, headers: headersFor(nextAccount()), body, signal: AbortSignal.timeout(10_000) });
    text = await res.text();
  } catch (err) {
    return `request failed: ${err.cause?.message ?? err.message}`;
  }
  let json;
  try { json = JSON.parse(text); } catch { return `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`; }
  const why = target.expect(res.status, json);
  return why && `${why}; body: ${text.slice(0, 300)}`;
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** CPU time (user + system, all threads) the process has used so far, in µs; undefined without /proc. */
function cpuMicros(pid) {
  if (pid === undefined) return undefined;
  try {
    // /proc/<pid>/stat: the fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * One autocannon run. Token mix `per-request` (default): every request is a new account with its own
 * token, built by autocannon's per-request setupRequest; `per-connection`: each connection keeps one
 * account for the whole run (the gateway's per-token caches then answer almost every request).
 */
export async function measure(target, { connections, seconds, tokens = 'per-request', onTimed }) {
  const { method, headersFor, body } = target.request;
  const perRequest = tokens === 'per-request';
  // Targets that verify tokens get theirs signed before the clock starts (see TokenPool).
  const { tokenPool } = target;
  const signStart = performance.now();
  const presigned = tokenPool?.fill({ seconds: perRequest ? seconds : 0, connections });
  const signSeconds = Math.round((performance.now() - signStart) / 100) / 10;
  const cpuBefore = cpuMicros(target.pid);
  onTimed?.('start'); // bench/profile.mjs counts only the timed run's samples
  const r = await autocannon({
    url: urlOf(target),
    method,
    headers: headersFor(nextAccount()),
    body,
    ...(perRequest
      ? { requests: [{ setupRequest: (req) => ({ ...req, headers: headersFor(nextAccount()) }) }] }
      : { setupClient: (client) => client.setHeaders(headersFor(nextAccount())) }),
    connections,
    duration: seconds,
    verifyBody: target.verifyBody,
  });
  const cpuAfter = cpuMicros(target.pid);
  onTimed?.('end');
  if (target.pacesTokenPools) sawRate(r.requests.average); // sizes the verified targets' next token pools
  const inlineSigned = tokenPool?.settle();
  return {
    reqPerSec: r.requests.average,
    // The server's own CPU time per answered request: what a request costs it, whatever the neighbours
    // did to the wall clock meanwhile (steadier than req/s on a shared machine). Null for `direct`.
    cpuUsPerRequest: cpuBefore === undefined || cpuAfter === undefined || !r.requests.total ? null : Math.round((cpuAfter - cpuBefore) / r.requests.total),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors, // includes timeouts
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    mismatches: r.mismatches, // 2xx with a wrong body
    ...(tokenPool && { presigned, signSeconds, inlineSigned }),
  };
}

/**
 * Sequential requests over one keep-alive connection for `seconds`, each a new account, timed with
 * hrtime (autocannon's latencies are whole milliseconds, too coarse for what a proxy adds). Returns
 * p50/p90/p99 in ms with microsecond resolution; a wrong answer is counted, not timed.
 */
export async function latencyRun(target, { seconds }) {
  const { method, headersFor, body } = target.request;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  let wrong = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end) {
      const start = process.hrtime.bigint();
      try {
        const text = await post(target, { agent, method, headers: headersFor(nextAccount()), body });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (target.verifyBody(text)) times.push(ms); else wrong++;
      } catch {
        errors++;
      }
    }
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  const at = (q) => (times.length ? Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 1000) / 1000 : null);
  return { requests: times.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), wrong, errors };
}

function post(target, { agent, method, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: target.port, path: target.request.path, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode < 300 ? Buffer.concat(chunks).toString('utf8') : ''));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
