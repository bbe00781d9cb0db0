// One variant of bench/feature-costs.mjs in a process of its own (FEATURES_MODE=in-process): its
// gateway (or the minimal gateway) answers whole requests through Yoga's fetch, driven from this
// process, with no HTTP server and no load generator beside it, so the only CPU counted is the
// variant's. A new account and token per request, 20 in flight, PACE = the bench stub. Node's framing
// is declared as node:http gives it (`req` in the server context), so the body limit takes its
// production path. Sends {"us": <µs of CPU per request, median of FEATURES_RUNS runs>} to the parent
// (stdout carries the variant's log lines).
import { cpuPerCall, wholeCreateOtp } from './in-process.mjs';

const name = process.env.FEATURE_NAME;
// Gateway variants run with the V8 settings of the gateway's own process (dist/server.js imports them first).
if (name !== 'yoga-minimal (reference)') await import('../../dist/v8-flags.js');
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
// Twice warmed up: the JIT sees the whole path before it is timed.
const us = await cpuPerCall(wholeCreateOtp(yoga, `fetch-user-${process.pid}`), { n: calls, inFlight: 20, runs, warmups: 2 });
process.send({ us }, () => process.exit(0));
