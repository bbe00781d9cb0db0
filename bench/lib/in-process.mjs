// Load driven from inside the process under measurement (bench/micro.mjs, ./feature-fetch.mjs): the
// CPU counted is that process's own, with no HTTP server and no load generator beside it.
import { issuerAt, unverifiedToken } from './tokens.mjs';

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Calls `fn(i)` (sync or async) for i = 0 … n−1, `inFlight` at a time. */
export async function drive(fn, n, inFlight = 1) {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const result = fn(next++);
      if (result?.then) await result;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/**
 * µs of this process's CPU per call of `fn(i)` (sync or async, `inFlight` at a time): the median of
 * `runs` runs of `n` calls, after `warmups` untimed runs (the JIT sees the code before it is timed).
 */
export async function cpuPerCall(fn, { n, inFlight = 1, runs = 7, warmups = 1 }) {
  const once = async () => {
    const before = process.cpuUsage();
    await drive(fn, n, inFlight);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / n;
  };
  for (let i = 0; i < warmups; i++) await once();
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  return median(samples);
}

const BODY = JSON.stringify({ query: 'mutation { createOtp(input: {pin: "1234"}) { __typename ... on Otp { otp expiresAt } } }' });
const ISSUER = issuerAt('https://id.bench.invalid');
const NODE_CONTEXT = { req: { httpVersion: '1.1', socket: {} }, res: undefined, waitUntil: (promise) => void promise?.then?.(undefined, () => undefined) };

/**
 * One whole createOtp request through `yoga.fetch`, a new account and token each (`<prefix>-<n>`).
 * Node's framing is declared as node:http gives it (`req` in the server context), so the gateway's
 * body limit takes its production path. Throws when the answer holds no OTP.
 *
 * The server context comes in two parts so that the adapter copies them into a plain object, as
 * node:http's listener builds one (`{ req, res, waitUntil }`). Given one part, it would make the
 * context with `Object.create(part)`: a new prototype, so a new hidden class, per request, which
 * makes every plugin that writes to or reads the context slower here than in production.
 */
export function wholeCreateOtp(yoga, prefix) {
  let account = 0;
  return async () => {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(BODY)),
      authorization: `Bearer ${unverifiedToken(ISSUER, `${prefix}-${account++}`)}`,
    };
    const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body: BODY }, NODE_CONTEXT, {});
    const text = await response.text();
    if (!text.includes('"otp"')) throw new Error(`${prefix}: no OTP in ${text.slice(0, 300)}`);
  };
}
