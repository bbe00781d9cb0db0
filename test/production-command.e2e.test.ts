/**
 * docs/production.md's first block, the production command, run as written in a copy of the
 * repository, against the real sandbox standing in for the PACE API it names. Its `npm ci` is the
 * one step left out (as its info string says): it reinstalls ~540 MB (45 s here), and CI's own first
 * step (.ci/run) is that same `npm ci` on the same lock file; the copy links this checkout's
 * node_modules instead. The rest runs verbatim: `npm run build`, then the server with the block's
 * variables.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { blocksOf } from './helpers/docs.js';
import { freePort, waitForOutput } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql } from './helpers/servers.js';

const ROOT = new URL('..', import.meta.url).pathname;
const [block] = blocksOf('docs/production.md').filter((candidate) => candidate.label === 'run' && candidate.value.startsWith('test/production-command.e2e.test.ts'));
/** The API the block names; the test's sandbox answers in its place. */
const DOCUMENTED_API = 'https://api.pace.cloud/user/2024-1';

let dir: string;
let sandbox: RunningSandbox;
let server: ChildProcess | undefined;
beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'production-command-'));
  // A clone of the working tree: every file git tracks or would (untracked, not ignored).
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (file === 'node_modules' || file.startsWith('bench/node_modules')) continue;
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
});
afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGKILL');
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('docs/production.md: the production command', () => {
  it('is `npm ci && npm run build && … node dist/server.js` with NODE_ENV=production and the PACE API', () => {
    expect(block, 'docs/production.md has a run=test/production-command.e2e.test.ts block').toBeDefined();
    expect(block!.body).toMatch(/^npm ci && npm run build && NODE_ENV=production PACE_API_URL=\S+ node dist\/server\.js$/);
    expect(block!.body).toContain(DOCUMENTED_API);
    expect(block!.value).toContain('npm ci'); // the info string says which step is not run
  });

  it('run as written after its npm ci, builds and serves: ready, GraphiQL off, createOtp answers an Otp through the API it names', async () => {
    const command = block!.body.replace(/^npm ci && /, '').replace(DOCUMENTED_API, sandbox.url);
    const port = await freePort();
    const child = spawn('bash', ['-euo', 'pipefail', '-c', command], {
      cwd: dir,
      detached: true, // its own process group: npm, tsc and node are all ended after the test
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(child, /GraphQL gateway ready/, 150_000);
    const url = `http://127.0.0.1:${port}`;
    expect(output).toContain(`"upstream":"${sandbox.url}"`); // the built server, with the block's settings
    expect(output).toContain('"graphiql":false');
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('renderYogaGraphiQL'); // production: no GraphiQL
    const answer = await graphql(url, CREATE_OTP, { variables: { input: { pin: DEMO.user.pin } }, headers: bearer(DEMO.user.token) });
    expect(answer.body.data?.['createOtp']).toMatchObject({ __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGTERM');
    expect(await exited).toBe(0); // SIGTERM drains and exits cleanly
  }, 180_000);
});
