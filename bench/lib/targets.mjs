// What each target is: how to start it, what to send, and what a right answer looks like.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CERTS_PATH, issuerAt, JWKS, REALM_PATH, TokenPool, unverifiedToken } from './tokens.mjs';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
export const ROOT = here('../../');
export const STUB_ENTRY = here('../servers/stub.mjs');
export const OTP_PATH_PREFIX = '/user/2024-1';
/** The stub also plays PACE ID (a Keycloak realm): it serves this key set at the realm's certs path. */
export const STUB_ENV = { BENCH_JWKS: JWKS, BENCH_REALM_PATH: REALM_PATH };

let accounts = 0;
/**
 * A number no request of this run has used yet (account 0 is the one-off check before timing). Load
 * sends a new account per request by default (see ./load.mjs): a user asks for an OTP once, not 10,000
 * times, so the gateway's per-token work (decode, hash, guard keys, cache misses) is paid on every
 * request, as in real traffic. Accounts are numbered across the whole run: rounds and targets never
 * reuse one.
 */
export const nextAccount = () => ++accounts;
const JSON_TYPE = { 'content-type': 'application/json' };
const CREATE_OTP = 'mutation { createOtp(input: {pin: "1234"}) { __typename ... on Otp { otp expiresAt } } }';
const graphqlBody = (query) => JSON.stringify({ query });

const isIsoDate = (s) => typeof s === 'string' && !Number.isNaN(Date.parse(s));

/** Full check for the one request sent before timing: returns null when right, else why not. */
function expectOtpPayload(status, json) {
  if (status !== 200) return `HTTP ${status}`;
  if (json.errors) return `GraphQL errors: ${JSON.stringify(json.errors).slice(0, 300)}`;
  const r = json.data?.createOtp;
  if (r?.__typename !== 'Otp' || r.otp !== '123456' || !isIsoDate(r.expiresAt)) return 'data.createOtp is not the expected Otp';
  return null;
}

// Cheap per-response checks during load (autocannon counts a false as a mismatch).
const otpMarker = (body) => body.includes('"otp":"123456"') && !body.includes('"errors"');

export function defineTargets({ stubPort, redisUrl }) {
  const baseline = process.env.BENCH_BASELINE_ENTRY;
  const stubOrigin = `http://127.0.0.1:${stubPort}`;
  const paceApiUrl = `${stubOrigin}${OTP_PATH_PREFIX}`;
  // As PACE ID's: an https issuer (production refuses any other); the key set comes from the stub
  // through PACE_JWKS_URL (http to 127.0.0.1 is allowed there), so no discovery is needed.
  const issuer = issuerAt('https://id.bench.invalid');
  // Request headers as account `n` (`sub` = `bench-user-<n>`): a realm-shaped token nobody verifies.
  const headersFor = (n) => ({ ...JSON_TYPE, authorization: `Bearer ${unverifiedToken(issuer, `bench-user-${n}`)}` });
  const gatewayEntry = process.env.BENCH_GATEWAY_ENTRY || `${ROOT}dist/server.js`;
  const yogaFloor = {
    name: 'yoga-floor',
    entry: here('../servers/yoga-floor.mjs'),
    request: { method: 'POST', headersFor, path: '/graphql', body: graphqlBody('{ ok }') },
    expect: (status, json) => (status === 200 && json.data?.ok === true && !json.errors ? null : `got HTTP ${status}`),
    verifyBody: (body) => body.includes('"ok":true'),
  };
  const createOtp = { method: 'POST', headersFor, path: '/graphql', body: graphqlBody(CREATE_OTP) };
  const gatewayMissing = existsSync(gatewayEntry) ? null : `${gatewayEntry} not found (not built yet? run \`npm run build\` at the repo root)`;
  const gateway = {
    name: 'gateway',
    entry: gatewayEntry,
    ipc: false, // run exactly as in production
    skipReason: gatewayMissing,
    // Its req/s (and its variants') sizes the verified targets' token pools: a verified gateway may run as
    // fast as the plain one, not as fast as `direct` or the bare Yoga floor (see TokenPool).
    pacesTokenPools: true,
    env: { PACE_API_URL: paceApiUrl },
    request: { ...createOtp, path: process.env.BENCH_GATEWAY_PATH ?? '/graphql' },
    expect: expectOtpPayload,
    verifyBody: otpMarker,
  };
  /**
   * The gateway verifying every token against PACE ID's key set (the stub's realm certs), each a new
   * account signed `alg` ahead of the run (see TokenPool), so the verified-token cache never answers.
   */
  const verifying = (name, alg, extra) => {
    const tokenPool = new TokenPool({ alg, issuer, nextAccount });
    return {
      ...gateway,
      name,
      ...extra,
      env: { PACE_API_URL: paceApiUrl, PACE_JWKS_URL: `${stubOrigin}${CERTS_PATH}`, PACE_TOKEN_ISSUER: issuer },
      tokenPool,
      request: { ...gateway.request, headersFor: (n) => ({ ...JSON_TYPE, authorization: `Bearer ${tokenPool.take(n)}` }) },
    };
  };
  const targets = [
    yogaFloor,
    {
      // For information: yoga-floor with the gateway's body limit in place of Yoga's stream (see the server file).
      ...yogaFloor,
      name: 'yoga-floor-framed',
      info: true,
      skipReason: existsSync(`${ROOT}dist/security/body-limit.js`) ? null : 'dist/ not built (npm run build)',
      env: { YOGA_BODY_LIMIT: 'framed' },
    },
    {
      // Issue 19's reference: a plain Yoga gateway doing the same createOtp (see the server file).
      name: 'yoga-minimal',
      entry: here('../servers/yoga-minimal.mjs'),
      env: { PACE_API_URL: paceApiUrl },
      request: createOtp,
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
    gateway,
    verifying('gateway-verified', 'RS256'), // as PACE ID (Keycloak) signs by default
    verifying('gateway-verified-es256', 'ES256', { info: true }),
    {
      ...gateway,
      name: 'gateway-redis',
      skipReason: gatewayMissing ?? (redisUrl ? null : 'redis-server is not installed (apt-get install -y redis-server)'),
      env: { PACE_API_URL: paceApiUrl, REDIS_URL: redisUrl },
    },
    {
      // The same gateway with tracing on, every request sampled, spans exported (http/protobuf) to the
      // stub's /v1/traces, which discards them: the price of tracing, export included.
      ...gateway,
      name: 'gateway-otel',
      env: {
        PACE_API_URL: paceApiUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: stubOrigin,
        OTEL_EXPORTER_OTLP_PROTOCOL: process.env.BENCH_OTEL_PROTOCOL || 'http/protobuf',
        // always_on by default (the goal's case); e.g. BENCH_OTEL_SAMPLER=traceidratio BENCH_OTEL_SAMPLER_ARG=0.1 for information
        OTEL_TRACES_SAMPLER: process.env.BENCH_OTEL_SAMPLER || 'always_on',
        OTEL_TRACES_SAMPLER_ARG: process.env.BENCH_OTEL_SAMPLER_ARG || '1',
      },
    },
    {
      name: 'apollo',
      entry: here('../servers/apollo.mjs'),
      env: { PACE_API_URL: paceApiUrl },
      request: createOtp,
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
    {
      name: 'direct',
      info: true,
      port: stubPort, // no server of its own: straight at the stub
      request: { method: 'POST', headersFor, path: `${OTP_PATH_PREFIX}/user/otp`, body: JSON.stringify({ pin: '1234' }) },
      expect: (status, json) => (status === 201 && json.otp === '123456' && isIsoDate(json.expiresAt) ? null : `got HTTP ${status}`),
      verifyBody: (body) => body.includes('"otp":"123456"'),
    },
    {
      name: 'raw-proxy',
      info: true,
      entry: here('../servers/raw-proxy.mjs'),
      env: { PACE_API_URL: paceApiUrl },
      request: createOtp,
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
  ];
  return baseline ? [...targets, baselineOf(targets, baseline)] : targets;
}

/**
 * A/B: BENCH_BASELINE_ENTRY=/path/to/other/dist/server.js runs that build as `gateway-baseline`, with the
 * settings of BENCH_BASELINE_OF (`gateway`, or `gateway-redis`, `gateway-otel`), beside it; the report
 * gives the per-round ratio of the two. The other build needs the same node_modules (a copy of dist/
 * in a folder whose node_modules links to this one's).
 */
function baselineOf(targets, entry) {
  const of = process.env.BENCH_BASELINE_OF || 'gateway';
  const model = targets.find((t) => t.name === of && t.entry);
  if (!model) throw new Error(`BENCH_BASELINE_OF=${of}: not a gateway target`);
  return { ...model, name: 'gateway-baseline', info: true, entry, skipReason: existsSync(entry) ? model.skipReason : `${entry} not found` };
}
