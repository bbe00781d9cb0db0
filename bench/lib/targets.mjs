// What each target is: how to start it, what to send, and what a right answer looks like.
import { existsSync } from 'node:fs';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
export const ROOT = here('../../');
export const STUB_ENTRY = here('../servers/stub.mjs');
export const OTP_PATH_PREFIX = '/user/2024-1';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** JWT-shaped bearer token with a sub claim (HS256 over a throwaway secret; nobody verifies it here). */
function jwt(sub) {
  const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub, iat: Math.floor(Date.now() / 1000) })}`;
  return `${head}.${createHmac('sha256', 'bench-secret').update(head).digest('base64url')}`;
}

/**
 * The gateway-verified target's identity provider: a P-256 key made per bench process, its public half
 * served by the stub as a key set (STUB_ENV), tokens signed per request with node:crypto (synchronous, as
 * autocannon's setupRequest must be), each a distinct account with the scope createOtp needs.
 */
const ISSUER = 'https://bench.invalid/';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KID = 'bench-key';
export const STUB_ENV = { BENCH_JWKS: JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'ES256', use: 'sig' }] }) };
function signedJwt(sub) {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64url({ alg: 'ES256', typ: 'JWT', kid: KID })}.${b64url({ sub, iss: ISSUER, iat: now, exp: now + 3600, scope: 'user:otp:create' })}`;
  return `${head}.${sign('sha256', Buffer.from(head), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
const signedHeadersFor = (n) => ({ 'content-type': 'application/json', authorization: `Bearer ${signedJwt(`bench-user-${n}`)}` });

/**
 * Request headers as account `n` (`sub` = `bench-user-<n>`), each with its own token. Load sends a new
 * account per request by default (see ./load.mjs): a user asks for an OTP once, not 10,000 times, so
 * the gateway's per-token work (decode, hash, guard keys) is paid on every request, as in real traffic.
 * Accounts are numbered across the whole run (rounds and targets never reuse one) by nextAccount().
 */
const headersFor = (n) => ({ 'content-type': 'application/json', authorization: `Bearer ${jwt(`bench-user-${n}`)}` });
let accounts = 0;
/** A number no request of this run has used yet (account 0 is the one-off check before timing). */
export const nextAccount = () => ++accounts;
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
  const paceApiUrl = `http://127.0.0.1:${stubPort}${OTP_PATH_PREFIX}`;
  const gatewayEntry = process.env.BENCH_GATEWAY_ENTRY || `${ROOT}dist/server.js`;
  const yogaFloor = {
    name: 'yoga-floor',
    entry: here('../servers/yoga-floor.mjs'),
    request: { method: 'POST', headersFor, path: '/graphql', body: graphqlBody('{ ok }') },
    expect: (status, json) => (status === 200 && json.data?.ok === true && !json.errors ? null : `got HTTP ${status}`),
    verifyBody: (body) => body.includes('"ok":true'),
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
      name: 'gateway',
      entry: gatewayEntry,
      ipc: false, // run exactly as in production
      skipReason: existsSync(gatewayEntry) ? null : `${gatewayEntry} not found (not built yet? run \`npm run build\` at the repo root)`,
      env: { PACE_API_URL: paceApiUrl },
      request: { method: 'POST', headersFor, path: process.env.BENCH_GATEWAY_PATH ?? '/graphql', body: graphqlBody(CREATE_OTP) },
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
    {
      // For information: the gateway verifying every token (PACE_JWKS_URL), each a new account, so the
      // verified-token cache never answers: what an ES256 signature check per request costs.
      name: 'gateway-verified',
      info: true,
      entry: gatewayEntry,
      ipc: false,
      skipReason: existsSync(gatewayEntry) ? null : `${gatewayEntry} not found`,
      env: { PACE_API_URL: paceApiUrl, PACE_JWKS_URL: `http://127.0.0.1:${stubPort}/.well-known/jwks.json`, PACE_TOKEN_ISSUER: ISSUER },
      request: { method: 'POST', headersFor: signedHeadersFor, path: process.env.BENCH_GATEWAY_PATH ?? '/graphql', body: graphqlBody(CREATE_OTP) },
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
    {
      name: 'gateway-redis',
      entry: gatewayEntry,
      ipc: false,
      skipReason: !existsSync(gatewayEntry) ? `${gatewayEntry} not found` : redisUrl ? null : 'redis-server is not installed (apt-get install -y redis-server)',
      env: { PACE_API_URL: paceApiUrl, REDIS_URL: redisUrl },
      request: { method: 'POST', headersFor, path: process.env.BENCH_GATEWAY_PATH ?? '/graphql', body: graphqlBody(CREATE_OTP) },
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
    {
      // The same gateway with tracing on, every request sampled, spans exported (http/protobuf) to the
      // stub's /v1/traces, which discards them: the price of tracing, export included.
      name: 'gateway-otel',
      entry: gatewayEntry,
      ipc: false,
      skipReason: existsSync(gatewayEntry) ? null : `${gatewayEntry} not found (not built yet? run \`npm run build\` at the repo root)`,
      env: {
        PACE_API_URL: paceApiUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${stubPort}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: process.env.BENCH_OTEL_PROTOCOL || 'http/protobuf',
        // always_on by default (the goal's case); e.g. BENCH_OTEL_SAMPLER=traceidratio BENCH_OTEL_SAMPLER_ARG=0.1 for information
        OTEL_TRACES_SAMPLER: process.env.BENCH_OTEL_SAMPLER || 'always_on',
        OTEL_TRACES_SAMPLER_ARG: process.env.BENCH_OTEL_SAMPLER_ARG || '1',
      },
      request: { method: 'POST', headersFor, path: process.env.BENCH_GATEWAY_PATH ?? '/graphql', body: graphqlBody(CREATE_OTP) },
      expect: expectOtpPayload,
      verifyBody: otpMarker,
    },
    {
      name: 'apollo',
      entry: here('../servers/apollo.mjs'),
      env: { PACE_API_URL: paceApiUrl },
      request: { method: 'POST', headersFor, path: '/graphql', body: graphqlBody(CREATE_OTP) },
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
      request: { method: 'POST', headersFor, path: '/graphql', body: graphqlBody(CREATE_OTP) },
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
