// Where tracing's cost goes (issue 19): µs of this process's CPU per whole createOtp request through
// Yoga's fetch (20 in flight, PACE = the bench stub over real HTTP), the untraced gateway against the
// gateway traced as gateway-otel is and against diagnostic variants of it that take one stage of the
// span pipeline out at a time. The variants run interleaved (order rotated every round), each round
// ending with a flush inside its timed window, so no variant pays for another's spans; medians of the rounds.
// Then the exporter alone: µs per span to serialize a batch of the gateway's own spans, and to export it.
// Knobs: TRACING_ROUNDS (9), TRACING_CALLS (2000 per variant per round), TRACING_ONLY (comma-separated
// variant keys: untraced, product, json, sdk, serialized, discarded, unprocessed, unsampled, unsampled-noclient, unsampled-header, unsampled-server, empty,
// batch128, batch1024),
// TRACING_PARTS=0 to skip the exporter-alone part. After `npm run build`.
import { existsSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startServer, stopServer } from './lib/procs.mjs';
import { drive, wholeCreateOtp } from './lib/in-process.mjs';
import { OTP_PATH_PREFIX, STUB_ENTRY, STUB_ENV } from './lib/targets.mjs';

const dist = (module) => new URL(`../dist/${module}`, import.meta.url).href;
if (!existsSync(fileURLToPath(dist('gateway.js')))) throw new Error('dist/ not built: run `npm run build` first');
const { pino } = await import('pino');
const { createLogger } = await import(dist('logger.js'));
const { GatewayMetrics } = await import(dist('observability/metrics.js'));
const { createGateway } = await import(dist('gateway.js'));
const { loadConfig } = await import(dist('config.js'));
const { startTracing } = await import(dist('observability/start-tracing.js'));
const { GatewayTracer } = await import(dist('observability/tracing-spans.js'));
const { NodeTracerProvider, BatchSpanProcessor, NoopSpanProcessor, InMemorySpanExporter, AlwaysOffSampler } = await import('@opentelemetry/sdk-trace-node');
const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
const { ProtobufTraceSerializer, JsonTraceSerializer } = await import('@opentelemetry/otlp-transformer');

const rounds = Number(process.env.TRACING_ROUNDS || 9);
const calls = Number(process.env.TRACING_CALLS || 2000);
const only = process.env.TRACING_ONLY?.split(',');
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, env: STUB_ENV, logFile: fileURLToPath(new URL('results/logs/tracing-costs-stub.log', import.meta.url)), ipc: false });
const base = new URL(`http://127.0.0.1:${stub.port}${OTP_PATH_PREFIX}`);
Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: base.origin, OTEL_TRACES_SAMPLER: 'always_on' });
const env = { NODE_ENV: 'production', PACE_API_URL: base.href, OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_ENDPOINT: base.origin };
const logger = () => createLogger('info', pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 }));

/** Counts what reaches the exporter, so a variant that drops spans shows it. */
function counting(exporter) {
  const counted = { spans: 0, failures: 0 };
  return {
    counted,
    export(spans, done) {
      counted.spans += spans.length;
      exporter.export(spans, (result) => {
        if (result.code !== 0) counted.failures++;
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter.shutdown(),
  };
}
const discard = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const serializeOnly = (serializer) => ({ export: (spans, done) => { serializer.serializeRequest(spans); done({ code: 0 }); }, shutdown: async () => {} });

/** A GatewayTracer as tracing-sdk.ts builds it, with the span processor given (the diagnostic variants). */
function tracerWith(processor, sampler) {
  const provider = new NodeTracerProvider({ spanProcessors: [processor], ...(sampler && { sampler }) });
  return new GatewayTracer(provider, provider.getTracer('pace-otp-gateway'), new W3CTraceContextPropagator());
}

const variants = [];
const variant = async (key, name, tracing, counted) => {
  if (only && !only.includes(key)) return;
  const config = loadConfig(env); // only `tracing` (below) decides whether this gateway traces
  const yoga = createGateway({ ...config, paceApiUrl: base }, { logger: logger(), metrics: new GatewayMetrics(), tracing });
  variants.push({ key, name, yoga, tracing, counted, request: wholeCreateOtp(yoga, `tc-${variants.length}`), samples: [], gc: [] });
};

await variant('untraced', 'untraced', undefined);
{
  // The product, as gateway-otel runs it: startTracing from the environment (OTLP/protobuf to the stub).
  const tracing = await startTracing(loadConfig(env).tracing);
  await variant('product', 'traced (product: OTLP/protobuf)', tracing);
}
{
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  const tracing = await startTracing(loadConfig({ ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).tracing);
  delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  await variant('json', 'traced (product: OTLP/json)', tracing);
}
{
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const exporter = counting(new OTLPTraceExporter());
  await variant('sdk', "traced, the SDK's own OTLP/protobuf exporter, counted", tracerWith(new BatchSpanProcessor(exporter)), exporter.counted);
}
{
  const exporter = counting(serializeOnly(ProtobufTraceSerializer));
  await variant('serialized', "traced, protobuf serialized by the SDK's serializer, not sent", tracerWith(new BatchSpanProcessor(exporter)), exporter.counted);
}
{
  const exporter = counting(discard);
  await variant('discarded', 'traced, batched, export discarded', tracerWith(new BatchSpanProcessor(exporter)), exporter.counted);
}
await variant('unprocessed', 'traced, spans made, no processor', tracerWith(new NoopSpanProcessor()));
// The product's exporter with smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE; the SDK's default is 512).
for (const size of [128, 1024]) {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto'); // the product's exporter
  await variant(`batch${size}`, `traced (product), batches of ${size}`, tracerWith(new BatchSpanProcessor(new OTLPTraceExporter(), { maxExportBatchSize: size, maxQueueSize: Math.max(2048, 4 * size) })));
}
// A Tracing that does nothing: what the gateway does differently when handed one, without any span code.
await variant('empty', 'a Tracing that does nothing (no hooks, no spans)', {
  plugin: {},
  upstreamSpan: () => ({ end() {} }),
  clientSpan: () => () => undefined,
  flush: async () => {},
  shutdown: async () => {},
});
// Every hook and context hand-over, but the sampler says no: non-recording spans (ids, contexts, traceparent to PACE).
await variant('unsampled', 'traced, nothing sampled (always_off)', tracerWith(new NoopSpanProcessor(), new AlwaysOffSampler()));
{
  // The same, piece by piece: without the CLIENT span (nor its traceparent to PACE), then without the operation span too.
  const unsampled = tracerWith(new NoopSpanProcessor(), new AlwaysOffSampler());
  const noClient = { plugin: unsampled.plugin, upstreamSpan: () => ({ end() {} }), clientSpan: () => () => undefined, flush: async () => {}, shutdown: async () => {} };
  await variant('unsampled-noclient', 'traced, nothing sampled, no CLIENT span', noClient);
  const header = (_parent, _method, _origin, _path, headers) => { headers.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'; return { end() {} }; };
  await variant('unsampled-header', 'traced, nothing sampled, no CLIENT span but a traceparent to PACE', { ...noClient, upstreamSpan: header });
  const { onParse, onResultProcess, ...serverOnly } = tracerWith(new NoopSpanProcessor(), new AlwaysOffSampler()).plugin;
  await variant('unsampled-server', 'traced, nothing sampled, SERVER span only', { ...noClient, plugin: serverOnly });
}

// GC pauses (ms), summed over each variant's timed window.
let gcMs = 0;
new PerformanceObserver((list) => { for (const entry of list.getEntries()) gcMs += entry.duration; }).observe({ entryTypes: ['gc'] });

/** One timed run of a variant: `calls` requests, 20 in flight, then a flush (its spans' export in its own window). */
async function timed(v) {
  const before = process.cpuUsage();
  const gcBefore = gcMs;
  await drive(() => v.request(), calls, 20);
  await v.tracing?.flush();
  const used = process.cpuUsage(before);
  await new Promise((resolve) => setImmediate(resolve)); // the observer's entries for this window
  v.gc.push(((gcMs - gcBefore) * 1000) / calls);
  return (used.user + used.system) / calls;
}

for (const v of variants) await timed(v); // warm-up: every variant's code in the JIT before any is timed
for (const v of variants) {
  v.gc = [];
  if (v.counted) v.counted.spans = 0;
}
for (let round = 0; round < rounds; round++) {
  const order = variants.map((_, i) => variants[(i + round) % variants.length]);
  for (const v of order) v.samples.push(await timed(v));
  process.stderr.write('.');
}
process.stderr.write('\n');

const untraced = variants.find((v) => v.key === 'untraced');
console.log(`\nWhole request, µs of CPU per request, 20 in flight, median of ${rounds} rounds of ${calls} (interleaved)\n`);
console.log(`${'µs'.padStart(7)} ${'+µs'.padStart(7)} ${'ratio'.padStart(6)} ${'GC µs'.padStart(6)}  variant   (per round)`);
for (const v of variants) {
  const us = median(v.samples);
  const extra = untraced ? median(v.samples.map((s, i) => s - untraced.samples[i])) : NaN;
  const ratio = untraced ? median(untraced.samples) / us : NaN;
  const spans = v.counted ? `  [exported ${v.counted.spans} of ${3 * calls * rounds} spans, ${v.counted.failures} failed exports]` : '';
  console.log(`${us.toFixed(1).padStart(7)} ${extra.toFixed(1).padStart(7)} ${ratio.toFixed(2).padStart(6)} ${median(v.gc).toFixed(1).padStart(6)}  ${v.name}   (${v.samples.map((s) => s.toFixed(0)).join(' ')})${spans}`);
}
await Promise.all(variants.map((v) => v.yoga.dispose()));
await Promise.all(variants.map((v) => v.tracing?.shutdown(2000)));

if (process.env.TRACING_PARTS !== '0') {
  // The exporter alone, on the gateway's own spans (captured from 200 traced requests).
  const memory = new InMemorySpanExporter();
  const capture = tracerWith(new BatchSpanProcessor(memory));
  const yoga = createGateway({ ...loadConfig(env), paceApiUrl: base }, { logger: logger(), metrics: new GatewayMetrics(), tracing: capture });
  const request = wholeCreateOtp(yoga, 'tc-capture');
  for (let i = 0; i < 200; i++) await request();
  await capture.flush();
  const spans = memory.getFinishedSpans();
  const batch = Array.from({ length: 512 }, (_, i) => spans[i % spans.length]);
  await yoga.dispose();

  const perSpan = async (fn, batches) => {
    const samples = [];
    for (let run = 0; run < 8; run++) {
      const before = process.cpuUsage();
      for (let i = 0; i < batches; i++) await fn();
      const used = process.cpuUsage(before);
      if (run > 0) samples.push((used.user + used.system) / (batches * batch.length));
    }
    return median(samples);
  };
  const rows = [];
  rows.push(["serialize a batch of 512, OTLP/protobuf, the SDK's serializer", await perSpan(() => ProtobufTraceSerializer.serializeRequest(batch), 50)]);
  rows.push(['serialize a batch of 512, OTLP/json', await perSpan(() => JsonTraceSerializer.serializeRequest(batch), 20)]);
  const bytes = ProtobufTraceSerializer.serializeRequest(batch).length;
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const exporter = new OTLPTraceExporter();
  const send = () => new Promise((resolve, reject) => exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error))));
  rows.push(["export a batch of 512 to the stub, the SDK's OTLP/protobuf exporter (serialize + HTTP)", await perSpan(send, 20)]);
  await exporter.shutdown();
  console.log(`\nThe exporter alone, µs of CPU per span (the gateway's own spans, ${bytes} bytes of protobuf per 512), median of 7 runs\n`);
  for (const [what, us] of rows) console.log(`${us.toFixed(2).padStart(7)}  ${what}   (×3 per request: ${(3 * us).toFixed(1)} µs)`);
}
await stopServer(stub);
