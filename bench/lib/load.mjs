// One correctness check before timing, and one autocannon run.
import autocannon from 'autocannon';

const urlOf = (target) => `http://127.0.0.1:${target.port}${target.request.path}`;

/** Send the target's request once; null when the answer is the expected success, else why not. */
export async function checkOnce(target) {
  const { method, headersFor, body } = target.request;
  let res, text;
  try {
    res = await fetch(urlOf(target), { method, headers: headersFor(0), body, signal: AbortSignal.timeout(10_000) });
    text = await res.text();
  } catch (err) {
    return `request failed: ${err.cause?.message ?? err.message}`;
  }
  let json;
  try { json = JSON.parse(text); } catch { return `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`; }
  const why = target.expect(res.status, json);
  return why && `${why}; body: ${text.slice(0, 300)}`;
}

export async function measure(target, { connections, seconds }) {
  const { method, headersFor, body } = target.request;
  let account = 0;
  const r = await autocannon({
    url: urlOf(target),
    method,
    headers: headersFor(0),
    body,
    setupClient: (client) => client.setHeaders(headersFor(account++)), // one account per connection
    connections,
    duration: seconds,
    verifyBody: target.verifyBody,
  });
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors, // includes timeouts
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    mismatches: r.mismatches, // 2xx with a wrong body
  };
}
