// Memory run: keep the gateway loaded, sample its RSS once a second after a warm-up.
import { readFileSync } from 'node:fs';
import { measure } from './load.mjs';

const WARMUP_SECONDS = 10;

function rssKiB(pid) {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

export async function memoryRun(target, { connections, seconds, tokens }) {
  rssKiB(target.pid); // fail early where there is no /proc
  const samples = [];
  let timer;
  let lost = null; // the process went away mid-run
  const sample = () => {
    try { samples.push(rssKiB(target.pid)); } catch (err) { lost = err.message; clearInterval(timer); }
  };
  const startSampling = setTimeout(() => { timer = setInterval(sample, 1000); }, WARMUP_SECONDS * 1000);
  let load;
  try {
    load = await measure(target, { connections, tokens, seconds: WARMUP_SECONDS + seconds });
  } finally {
    clearTimeout(startSampling);
    clearInterval(timer);
  }
  if (lost) throw new Error(`lost the gateway process while sampling: ${lost}`);
  if (samples.length < 2) throw new Error(`only ${samples.length} RSS samples`);
  // RSS saw-tooths with GC, so single samples are noisy: growth compares the floor (lowest RSS)
  // of the first quarter of the samples with that of the last quarter; a leak raises the floor.
  const window = Math.max(1, Math.floor(samples.length / 4));
  const firstFloor = Math.min(...samples.slice(0, window));
  const lastFloor = Math.min(...samples.slice(-window));
  const mib = (kib) => Math.round((kib / 1024) * 10) / 10;
  const pct = (a, b) => Math.round(((b - a) / a) * 1000) / 10;
  return {
    seconds,
    warmupSeconds: WARMUP_SECONDS,
    samples: samples.length,
    firstMiB: mib(samples[0]),
    lastMiB: mib(samples.at(-1)),
    maxMiB: mib(Math.max(...samples)),
    floorWindow: window,
    firstFloorMiB: mib(firstFloor),
    lastFloorMiB: mib(lastFloor),
    growthPct: pct(firstFloor, lastFloor),
    rawGrowthPct: pct(samples[0], samples.at(-1)),
    rssKiB: samples,
    load,
  };
}
