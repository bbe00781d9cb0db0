/**
 * The docs' `run=test/docs.http.test.ts` blocks, extracted and run as a reader would run them
 * (bash, node), against a real gateway over the real sandbox on port 0: `http://localhost:4000` in a
 * block becomes that gateway, `TOKEN=...` the demo user's token.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROFILE_SDL } from '../examples/supergraph/profile-subgraph.js';
import { DEMO } from '../src/sandbox/index.js';
import { blocksOf, type DocBlock } from './helpers/docs.js';
import { useSandboxedGateway } from './helpers/sandbox.js';

const setup = useSandboxedGateway({ LOG_LEVEL: 'warn' });
const ROOT = new URL('..', import.meta.url).pathname;

/** The one block of `doc` run here whose text contains `marker`. */
function block(doc: string, marker: string): DocBlock {
  const found = blocksOf(doc).filter((candidate) => candidate.label === 'run' && candidate.value === 'test/docs.http.test.ts' && candidate.body.includes(marker));
  expect(found, `${doc}: one run block with "${marker}"`).toHaveLength(1);
  return found[0]!;
}

/** A shell block with the test's gateway and token put in, run by bash from the repository root (asynchronously: the gateway runs in this process). */
async function runShell(body: string): Promise<string> {
  const script = body.replaceAll('http://localhost:4000', setup.gateway.url).replace(/^TOKEN=\.\.\./m, `TOKEN=${DEMO.user.token}`);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env['PATH'] ?? '' } });
  return stdout;
}

describe('docs/clients.md', () => {
  it('the curl of "Try it with curl" gets an OTP', async () => {
    const output = await runShell(block('docs/clients.md', 'curl -s').body);
    expect(JSON.parse(output)).toMatchObject({ data: { createOtp: { __typename: 'Otp', otp: expect.stringMatching(/^\d{6}$/) } } });
  });

  it('the typed client command prints its next step', async () => {
    const output = await runShell(block('docs/clients.md', 'examples/typed-client.ts').body);
    expect(output).toMatch(/kind: 'use-otp'/);
    expect(output).toMatch(/otp: '\d\*\*\*\*\*'/);
  }, 30_000);
});

describe('docs/supergraph.md', () => {
  it('the _service curl prints the subgraph SDL', async () => {
    const output = await runShell(block('docs/supergraph.md', '_service').body);
    expect(`${output}`).toBe(readFileSync(new URL('../subgraph.graphql', import.meta.url), 'utf8'));
  });

  it('compose.mjs composes subgraph.graphql and profile.graphql into a supergraph', () => {
    const dir = new URL('artifacts/compose/', import.meta.url); // inside the repository: node_modules resolve
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL('compose.mjs', dir), block('docs/supergraph.md', 'composeServices').body);
    copyFileSync(new URL('../subgraph.graphql', import.meta.url), new URL('subgraph.graphql', dir));
    writeFileSync(new URL('profile.graphql', dir), PROFILE_SDL);
    const supergraph = execFileSync(process.execPath, ['compose.mjs'], { cwd: dir.pathname, encoding: 'utf8', timeout: 30_000 });
    expect(supergraph).toContain('join__graph(name: "pace-otp", url: "http://pace-otp:4000/graphql")');
    expect(supergraph).toContain('join__graph(name: "profile", url: "http://profile:4001/graphql")');
    expect(supergraph).toMatch(/createOtp\(/);
  });
});
