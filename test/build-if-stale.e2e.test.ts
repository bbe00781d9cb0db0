/**
 * `npm start`'s restart rule (scripts/build-if-stale.mjs): it compiles only when an input differs
 * from the last build's. Run for real (npm, the script, tsc with this repository's tsconfigs and
 * package files) in a copy whose src/ is one small entry, so each compile takes a second or two.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
let dir: string;

/** An entry that says which version of it was compiled, the way the real one says it is ready. */
const entry = (version: string) => `console.log('GraphQL gateway ready: ${version}');\n`;

/** Runs a command in the copy: whether it compiled, and what the entry printed. */
function run(command: string, args: string[]): { compiled: boolean; printed: string } {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' } });
  expect(result.status, `${command} ${args.join(' ')}:\n${result.stdout}${result.stderr}`).toBe(0);
  return { compiled: result.stderr.includes('compiling src/ to dist/'), printed: /GraphQL gateway ready: (\S+)/.exec(result.stdout)?.[1] ?? '' };
}
const npmStart = () => run('npm', ['start', '--silent']);
const buildIfStale = () => run(process.execPath, ['scripts/build-if-stale.mjs']).compiled;
const compiledEntry = () => readFileSync(join(dir, 'dist/server.js'), 'utf8');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'src'));
  for (const file of ['scripts/build-if-stale.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) copyFileSync(join(ROOT, file), join(dir, file));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'src/server.ts'), entry('v1'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm start with dist/ current or not', () => {
  it('compiles on the first start, not on the second (dist/ untouched), and again when a source changes', () => {
    expect(npmStart()).toEqual({ compiled: true, printed: 'v1' });
    const builtAt = statSync(join(dir, 'dist/server.js')).mtimeMs;
    expect(npmStart()).toEqual({ compiled: false, printed: 'v1' });
    expect(statSync(join(dir, 'dist/server.js')).mtimeMs).toBe(builtAt);

    writeFileSync(join(dir, 'src/server.ts'), entry('v2'));
    expect(npmStart()).toEqual({ compiled: true, printed: 'v2' });
    expect(npmStart()).toEqual({ compiled: false, printed: 'v2' });
  }, 60_000);

  it('a source put back with an old modification time (cp -p, tar, rsync -t) still counts: the rule is content, not time', () => {
    writeFileSync(join(dir, 'src/server.ts'), entry('v3'));
    expect(buildIfStale()).toBe(true);
    writeFileSync(join(dir, 'src/server.ts'), entry('v2'));
    const lastYear = new Date(Date.now() - 365 * 86_400_000);
    utimesSync(join(dir, 'src/server.ts'), lastYear, lastYear); // older than dist/
    expect(npmStart()).toEqual({ compiled: true, printed: 'v2' });
  }, 60_000);

  it.each(['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'])('recompiles when %s changes', (file) => {
    expect(buildIfStale()).toBe(false);
    const original = readFileSync(join(dir, file), 'utf8');
    writeFileSync(join(dir, file), `${original}\n`);
    try {
      expect(buildIfStale()).toBe(true);
      expect(buildIfStale()).toBe(false);
    } finally {
      writeFileSync(join(dir, file), original);
    }
    expect(buildIfStale()).toBe(true); // back to the original: that, too, is a change since the last build
  }, 60_000);

  it('recompiles for a new source file, and when dist/ lost its entry', () => {
    expect(buildIfStale()).toBe(false);
    writeFileSync(join(dir, 'src/extra.ts'), 'export const extra = 1;\n');
    expect(buildIfStale()).toBe(true);
    expect(readFileSync(join(dir, 'dist/extra.js'), 'utf8')).toContain('extra = 1');
    rmSync(join(dir, 'src/extra.ts'));
    expect(buildIfStale()).toBe(true); // a deleted source is a change too

    rmSync(join(dir, 'dist/server.js'));
    expect(npmStart()).toEqual({ compiled: true, printed: 'v2' });
    expect(compiledEntry()).toContain('GraphQL gateway ready: v2');
  }, 60_000);
});
