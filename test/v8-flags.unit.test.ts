/**
 * The server process runs without V8's allocation-site pretenuring (src/v8-flags.ts): with it, a
 * gateway started under load could pretenure per-request objects for its whole life, at about
 * 15 µs of GC a request (docs/performance.md). Each case runs in a fresh Node that prints V8's
 * pretenuring statistics (one or more lines per young-generation collection while allocation sites
 * are watched; none when pretenuring is off) around a workload of objects from one literal site that
 * all outlive a few collections. The module is preloaded with --import, as the entry imports it first.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url);
const WORKLOAD = `
  const ring = new Array(200_000);
  const make = (i) => ({ id: i, tags: [i, i + 1] });
  for (let i = 0; i < 2_000_000; i++) ring[i % ring.length] = make(i);
`;

/** The lines of pretenuring statistics V8 printed while the workload ran after `preload`. */
function pretenuringReports(preload: string[], nodeArgs: string[] = []): number {
  const run = spawnSync(
    process.execPath,
    [...nodeArgs, '--trace-pretenuring-statistics', '--import', 'tsx', ...preload.flatMap((file) => ['--import', file]), '--input-type=module', '-e', WORKLOAD],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((line) => line.includes('pretenuring:')).length;
}

describe('V8 flags of the server process', () => {
  it('without them, V8 watches the allocation sites to pretenure them (so the other cases can tell)', () => {
    expect(pretenuringReports([])).toBeGreaterThan(0);
  });

  it('src/v8-flags.ts turns pretenuring off', () => {
    expect(pretenuringReports(['./src/v8-flags.ts'])).toBe(0);
  });

  it("leaves the operator's own choice on the command line, in either spelling", () => {
    expect(pretenuringReports(['./src/v8-flags.ts'], ['--allocation-site-pretenuring'])).toBeGreaterThan(0);
    expect(pretenuringReports(['./src/v8-flags.ts'], ['--allocation_site_pretenuring'])).toBeGreaterThan(0);
  });

  it('is the first import of the server entry', () => {
    const entry = readFileSync(new URL('src/server.ts', ROOT), 'utf8');
    const firstImport = /^import .*$/m.exec(entry)?.[0];
    expect(firstImport).toMatch(/^import '\.\/v8-flags\.js';/);
  });
});
