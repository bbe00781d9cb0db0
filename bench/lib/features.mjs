// The variants bench/feature-costs.mjs compares: each takes one feature out of the gateway by swapping
// the module (dist/ path) or package that provides it for a stand-in (./variant-loader.mjs). `env`
// changes the configuration instead. Keep the stand-ins in step with the modules' exports.
const noPlugin = (name) => `export function ${name}() { return {}; }`;

const PLUGINS = {
  'security/body-limit.js': noPlugin('useRequestBodyLimit'),
  'security/media-types.js': noPlugin('useCaseInsensitiveMediaTypes'),
  'security/response-headers.js': noPlugin('useResponseHeaders'),
  'security/document-limits.js': noPlugin('useDocumentLimits'),
  'security/no-echo.js': noPlugin('useNoEcho'),
  'security/variables-limit.js': noPlugin('useVariablesLimit'),
  '@graphql-yoga/plugin-csrf-prevention': noPlugin('useCSRFPrevention'),
  'security/validation-rules.js': noPlugin('useValidationRules'),
  '@escape.tech/graphql-armor-block-field-suggestions': noPlugin('blockFieldSuggestionsPlugin'),
};

export const FEATURES = {
  all: { what: 'the gateway as in production (NODE_ENV=production, log level info, memory guard store, unverified tokens)' },
  'all (again)': { what: 'a second copy of the whole gateway: the noise of the method' },
  'log line': { env: { LOG_LEVEL: 'silent' }, what: 'LOG_LEVEL=silent: no request log line' },
  metrics: {
    replace: {
      'observability/metrics.js':
        'import { Registry } from "prom-client"; export class GatewayMetrics { registry = new Registry(); request() {} upstream = () => {}; documentCompiled() {} }',
    },
    what: 'prom-client counters and histogram not counted',
  },
  'PIN guard': {
    replace: {
      'security/pin-guard.js':
        'export class PinGuard { guard(_account, check) { return check(); } checkReady() { return Promise.resolve(true); } close() { return Promise.resolve(); } }',
    },
    what: 'checks go straight to PACE: no admission, no slot, no outcome',
  },
  'caller key': {
    replace: {
      'security/callers.js':
        'export class UnverifiedCallers { identify(token) { return { account: token, scopes: undefined }; } isReady() { return true; } isReachable() { return true; } close() {} }',
    },
    what: 'the token itself is the account: no JWT decode, no hash',
  },
  'PACE call': {
    replace: {
      'upstream/operations.js':
        'export async function createOtp() { return { otp: "123456", expiresAt: new Date(Date.now() + 600000) }; }',
    },
    what: 'createOtp answers without calling PACE (what undici, the call and its mapping cost)',
  },
  'PACE call after a tick': {
    replace: {
      'upstream/operations.js':
        'export async function createOtp() { await new Promise((resolve) => setImmediate(resolve)); return { otp: "123456", expiresAt: new Date(Date.now() + 600000) }; }',
    },
    what: 'createOtp answers in memory after one turn of the event loop: the suspension without the I/O',
  },
  'PACE client → undici request': {
    replace: {
      'upstream/client.js': `import { Pool } from 'undici';
export class PaceClient {
  constructor(o) { this.pool = new Pool(o.baseUrl.origin, { connections: o.connections }); this.base = o.baseUrl.pathname.replace(/\\/+$/, ''); this.observer = o.observer; }
  post(operation, path, call, body) { return this.send(operation, 'POST', path, call, body); }
  get(operation, path, call) { return this.send(operation, 'GET', path, call, undefined); }
  async send(operation, method, path, call, body) {
    const headers = { authorization: call.authorization, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) };
    const done = this.observer?.onFetch({ operation, method, origin: '', path: this.base + path, headers, context: call.context });
    const started = performance.now();
    const res = await this.pool.request({ path: this.base + path, method, headers, body });
    const text = await res.body.text();
    done?.({ operation, status: res.statusCode, durationMs: performance.now() - started, cause: undefined });
    return { status: res.statusCode, body: text === '' ? undefined : JSON.parse(text), requestId: res.headers['request-id'], retryAfter: undefined };
  }
  close() { return this.pool.close(); }
  destroy() { return this.pool.destroy(); }
}`,
    },
    what: "the gateway's PaceClient (dispatch handler, deadline timer, body cap) swapped for undici's own request and body.text()",
  },
  'upstream observer': {
    replace: { 'observability/upstream-calls.js': 'export function observeUpstreamCalls() { return undefined; }' },
    what: 'no x-request-id or traceparent to PACE, no upstream metric, no upstream fields in the log line',
  },
  'body limit': { replace: { 'security/body-limit.js': PLUGINS['security/body-limit.js'] } },
  'media types': { replace: { 'security/media-types.js': PLUGINS['security/media-types.js'] } },
  'response headers': { replace: { 'security/response-headers.js': PLUGINS['security/response-headers.js'] } },
  'document limits': { replace: { 'security/document-limits.js': PLUGINS['security/document-limits.js'] } },
  'no-echo': { replace: { 'security/no-echo.js': PLUGINS['security/no-echo.js'] } },
  'variables limit': { replace: { 'security/variables-limit.js': PLUGINS['security/variables-limit.js'] } },
  CSRF: { replace: { '@graphql-yoga/plugin-csrf-prevention': PLUGINS['@graphql-yoga/plugin-csrf-prevention'] } },
  'validation rules': {
    replace: { 'security/validation-rules.js': PLUGINS['security/validation-rules.js'] },
    what: "graphql-armor's depth, alias, directive and cost rules, one createOtp per operation, no introspection",
  },
  'field suggestions': { replace: { '@escape.tech/graphql-armor-block-field-suggestions': PLUGINS['@escape.tech/graphql-armor-block-field-suggestions'] } },
  'compiled execution': {
    replace: { 'compiled-execution.js': noPlugin('useCompiledExecution') },
    what: 'every execution by graphql-js: no document compiled by graphql-jit',
  },
  'all hardening plugins': { replace: PLUGINS, what: 'every plugin above at once' },
};
