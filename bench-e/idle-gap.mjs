// How long one PACE call takes when the stub has been idle before it: node bench/idle-gap.mjs (after
// `npm run build`). The gateway's PaceClient on core 0, the stub on core 1 (as in the bench), 1,500 calls
// per gap; between two calls this process first yields, then stays busy for the gap, as a gateway does
// while it serves the request around the call. On the machine of docs/performance.md a stub that slept
// 0.5 ms or more answers about 0.3 ms later than one called back to back: part of the 1-connection
// latency that is the machine's, not the gateway's.
import { spawnSync } from 'node:child_process';
import { PaceClient } from '../dist/upstream/client.js';
import { startServer, stopServer } from './lib/procs.mjs';
import { OTP_PATH_PREFIX, STUB_ENTRY } from './lib/targets.mjs';

const pinned = spawnSync('taskset', ['-p', '-c', '0', String(process.pid)]).status === 0;
const stub = await startServer({ name: 'stub', entry: STUB_ENTRY, cpus: pinned ? '1' : null, logFile: new URL('results/logs/stub.log', import.meta.url).pathname });
const client = new PaceClient({ baseUrl: new URL(`http://127.0.0.1:${stub.port}${OTP_PATH_PREFIX}`), timeoutMs: 10_000, connections: 8 });
const call = () => client.post('createOtp', '/user/otp', { authorization: 'Bearer a.b.c' }, '{"pin":"1234"}');
const busy = (ms) => {
  for (const end = performance.now() + ms; performance.now() < end; );
};

for (let i = 0; i < 5000; i++) await call(); // warm both sides
console.log(pinned ? 'client on cpu 0, stub on cpu 1' : 'not pinned (no taskset)');
for (const gapMs of [0, 0.5, 1, 1.5, 3]) {
  const times = [];
  for (let i = 0; i < 1500; i++) {
    if (gapMs > 0) await new Promise((resolve) => setImmediate(resolve)).then(() => busy(gapMs));
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`gap ${String(gapMs).padEnd(3)} ms before each call: PACE call p50 ${Math.round(times[750] * 1000)} µs, p90 ${Math.round(times[1350] * 1000)} µs`);
}
await client.close();
await stopServer(stub);
