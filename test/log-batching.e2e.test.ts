/**
 * The process's log stream writes in batches (src/logger.ts): every line still arrives, within
 * LOG_FLUSH_INTERVAL_MS while the process lives, and at once when it exits, normally or by an uncaught
 * exception. Only a kill that skips the exit handlers may lose the last batch (that loss is the bound).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LOG_FLUSH_INTERVAL_MS } from '../src/logger.js';

/** A node process that logs through createLogger to its stdout, then does `then`. */
function logging(lines: number, then: string) {
  const script = `
    import { createLogger } from './src/logger.ts';
    const logger = createLogger('info');
    for (let i = 0; i < ${lines}; i++) logger.info({ n: i }, 'line');
    ${then}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, count: () => output.split('\n').filter((line) => line.includes('"msg":"line"')).length };
}

describe('log lines written in batches', () => {
  it('reach stdout within the flush interval while the process runs', async () => {
    const run = logging(3, 'setTimeout(() => {}, 5_000);');
    try {
      const deadline = performance.now() + 3_000; // start-up (tsx) included
      while (run.count() < 3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_INTERVAL_MS / 4));
      expect(run.count()).toBe(3);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it.each([
    ['a normal exit', 'process.exit(0);', 0],
    ['an uncaught exception', 'setImmediate(() => { throw new Error("boom"); });', 1],
  ])('are all written on %s', async (_case, then, code) => {
    const run = logging(500, then);
    const [exitCode] = (await once(run.child, 'exit')) as [number];
    expect(exitCode).toBe(code);
    expect(run.count()).toBe(500);
  });
});
