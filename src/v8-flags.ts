/**
 * V8 settings for the gateway's own process. The entry (./server.ts) imports this module first, so
 * they hold before any request arrives. A host that embeds `createGateway` runs its own process and
 * chooses its own flags (docs/performance.md, "Pretenuring").
 *
 * `--no-allocation-site-pretenuring`: V8 watches each object literal's allocation site, and once
 * most objects from a site outlive two young-generation collections, it allocates that site straight
 * in the old generation. It decides this per process. When a gateway starts under load, its first
 * requests are slow (the JIT is still cold), so their objects live long enough for V8 to pretenure
 * sites that allocate per request. After that, every request leaves objects in the old generation.
 * Those objects keep their young children alive through every scavenge until the next full
 * collection. In the bench this happened to 2 of 5 fresh gateway processes:
 * - such a process promoted about 10 × the bytes (about 450 against 50 MB in 8 s);
 * - its GC took 23–26 µs a request instead of 8–10;
 * - it kept that state for its whole life.
 * Without pretenuring, every process stays in the fast state. Long-lived objects (the schema,
 * caches) are promoted by copying instead, once.
 *
 * The operator's own choice wins: a process started with either form of a flag
 * (`node --allocation-site-pretenuring dist/server.js`) is left as it is. (Node refuses V8 flags
 * like this one in NODE_OPTIONS, so the command line is the only place to give it.)
 */
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

const chosenByOperator = (flag: string): boolean => {
  const name = flag.replace(/^--(no-)?/, '').replaceAll('-', '[-_]');
  const given = new RegExp(`--(no[-_])?${name}\\b`);
  return process.execArgv.some((arg) => given.test(arg));
};

for (const flag of V8_FLAGS) if (!chosenByOperator(flag)) setFlagsFromString(flag);
