/** The package as a user installs it: `npm pack`, installed into a scratch project, imported and run. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'pace-otp-gateway-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack', () => {
  it('installs from the tarball and serves a request through the embedding API', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'schema.graphql', 'dist/index.js', 'dist/index.d.ts', 'dist/server.js']));
    expect(files.filter((path) => path.startsWith('src/') || path.startsWith('test/') || path.endsWith('.map'))).toEqual([]);

    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { 'pace-otp-gateway': `file:./${packed!.filename}` } }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: scratch, stdio: 'ignore' });
    writeFileSync(
      join(scratch, 'embed.mjs'),
      `import { createGateway, loadConfig, subgraphSchema } from 'pace-otp-gateway';
const gateway = createGateway({ ...loadConfig({ LOG_LEVEL: 'silent' }), paceApiUrl: new URL('http://127.0.0.1:9/user/2024-1') });
const response = await gateway.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
console.log(JSON.stringify({ status: response.status, body: await response.json(), types: Object.keys(subgraphSchema().getTypeMap()).includes('CreateOtpResult') }));
await gateway.dispose();
`,
    );
    const output = JSON.parse(execFileSync(process.execPath, ['embed.mjs'], { cwd: scratch, encoding: 'utf8' }).trim()) as unknown;
    expect(output).toEqual({ status: 200, body: { data: { __typename: 'Query' } }, types: true });
  }, 240_000);
});
