// One variant of bench/feature-costs.mjs in a process of its own (FEATURES_MODE=in-process): its
// gateway (or the minimal gateway) answers whole requests through Yoga's fetch, driven from this
// process, with no HTTP server and no load generator beside it, so the only CPU counted is the
// variant's. A new account and token per request, 20 in flight, PACE = the bench stub. Node's framing
// is declared as node:http gives it (`req` in the server context), so the body limit takes its
// production path. Sends {"us": <µs of CPU per request, median of FEATURES_RUNS runs>} to the parent
// (stdout carries the variant's log lines).
import { unverifiedToken, issuerAt } from './tokens.mjs';

const name = process.env.FEATURE_NAME;
const calls = Number(process.env.FEATURES_CALLS || 2000);
const runs = Number(process.env.FEATURES_RUNS || 5);
const paceApiUrl = process.env.PACE_API_URL;

async function load() {
  if (name === 'yoga-minimal (reference)') return (await import('../servers/yoga-minimal.mjs')).createMinimalYoga(paceApiUrl);
  const variant = JSON.parse(process.env.FEATURE_VARIANTS)[name];
  const copy = (module) => new URL(`../../dist/${module}?variant=${encodeURIComponent(name)}`, import.meta.url).href;
  const { loadConfig } = await import(copy('config.js'));
  const { createGateway } = await import(copy('gateway.js'));
  const config = loadConfig({ ...process.env, ...variant.env });
  return createGateway({ ...config, paceApiUrl: config.paceApiUrl });
}

const yoga = await load();
const issuer = issuerAt('https://id.bench.invalid');
const body = JSON.stringify({ query: 'mutation { createOtp(input: {pin: "1234"}) { __typename ... on Otp { otp expiresAt } } }' });
const framed = () => ({ req: { httpVersion: '1.1', socket: {} } });
let account = 0;

async function request() {
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    authorization: `Bearer ${unverifiedToken(issuer, `fetch-user-${process.pid}-${account++}`)}`,
  };
  const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body }, framed());
  const text = await response.text();
  if (!text.includes('"otp"')) throw new Error(`${name}: no OTP in ${text.slice(0, 300)}`);
}

async function run() {
  let started = 0;
  const lane = async () => { while (started++ < calls) await request(); };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: 20 }, lane));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

await run(); // warm-up, twice: the JIT sees the path before it is timed
await run();
const samples = [];
for (let i = 0; i < runs; i++) samples.push(await run());
process.send({ us: samples.sort((a, b) => a - b)[samples.length >> 1] }, () => process.exit(0));
