// Where a whole createOtp request allocates: V8's sampling heap profiler (objects the GC collected
// included) over N whole requests through yoga.fetch in this process, for the minimal gateway and the
// gateway. Prints KB per request and the top allocation sites (self size) of each, and the sites the
// gateway allocates at that the minimal gateway does not. After `npm run build`:
//   node bench/allocations.mjs [requests=4000]
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer } from './lib/procs.mjs';
import { drive, wholeCreateOtp } from './lib/in-process.mjs';
import { OTP_PATH_PREFIX, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';

const dist = (module) => new URL(`../dist/${module}`, import.meta.url).href;
const { pino } = await import('pino');
const { createLogger } = await import(dist('logger.js'));
const { GatewayMetrics } = await import(dist('observability/metrics.js'));
const { createGateway } = await import(dist('gateway.js'));
const { loadConfig } = await import(dist('config.js'));
const { createMinimalYoga } = await import('./servers/yoga-minimal.mjs');

const requests = Number(process.argv[2] ?? 4000);
const top = Number(process.env.ALLOC_TOP ?? 25);
const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: fileURLToPath(new URL('results/logs/alloc-stub.log', import.meta.url)), ipc: false });
const base = new URL(`http://127.0.0.1:${stub.port}${OTP_PATH_PREFIX}`);
const gateway = createGateway(
  { ...loadConfig({ NODE_ENV: 'production', PACE_API_URL: base.href }), paceApiUrl: base },
  { logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 })), metrics: new GatewayMetrics() },
);
const minimal = createMinimalYoga(base.href);

const session = new Session();
session.connect();

/** Self size per allocation site (function, file:line) over `requests` whole requests. */
async function profile(name, yoga) {
  const request = wholeCreateOtp(yoga, `alloc-${name}`);
  await drive(request, 2000, 20); // warm: the JIT and the caches settle before sampling
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await drive(request, requests, 20);
  const { profile: tree } = await session.post('HeapProfiler.stopSampling');
  const sites = new Map();
  let total = 0;
  const walk = (node) => {
    const self = node.selfSize;
    if (self > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      // A package's CommonJS and ESM builds (the minimal gateway loads Yoga's CommonJS build) are one
      // site: the path without cjs/ or esm/; line numbers only for our own files, where they are stable.
      const packaged = url.includes('node_modules/');
      const file = url.replace(/^.*node_modules\//, '').replace(/\/(cjs|esm)\//, '/').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/');
      const key = `${functionName || '(anonymous)'} ${file}${packaged || !url ? '' : `:${lineNumber + 1}`}`;
      sites.set(key, (sites.get(key) ?? 0) + self);
      total += self;
    }
    for (const child of node.children) walk(child);
  };
  walk(tree.head);
  return { total: total / requests, sites: new Map([...sites].map(([k, v]) => [k, v / requests])) };
}

const results = {};
for (const [name, yoga] of [['minimal', minimal], ['gateway', gateway]]) results[name] = await profile(name, yoga);
await gateway.dispose();
await stopServer(stub);

const kb = (bytes) => (bytes / 1024).toFixed(2).padStart(7);
for (const [name, { total, sites }] of Object.entries(results)) {
  console.log(`\n${name}: ${kb(total)} KB per request; top sites (KB per request):`);
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${kb(bytes)}  ${site}`);
}
const extra = [...results.gateway.sites].map(([site, bytes]) => [site, bytes - (results.minimal.sites.get(site) ?? 0)]).sort((a, b) => b[1] - a[1]);
console.log(`\ngateway − minimal: ${kb(results.gateway.total - results.minimal.total)} KB per request; the largest differences by site:`);
for (const [site, bytes] of extra.slice(0, top)) console.log(`${kb(bytes)}  ${site}`);
