/** `npm run print-schema` as a process: the prefixed variant to stdout, or all three files into a directory. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printPossibleTypesFile, printSchemaFile, printSubgraphFile } from '../src/schema/print.js';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/print-schema.ts', ...args], { cwd: new URL('..', import.meta.url), encoding: 'utf8', timeout: 30_000 });

describe('scripts/print-schema.ts', () => {
  it('--type-prefix Pace prints the prefixed subgraph SDL, writing nothing', () => {
    const { status, stdout } = run('--type-prefix', 'Pace');
    expect(status).toBe(0);
    expect(stdout).toBe(printSubgraphFile({ typePrefix: 'Pace' }));
  });

  it('--out-dir writes the three prefixed files there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'print-schema-'));
    try {
      expect(run('--type-prefix', 'Pace', '--out-dir', dir).status).toBe(0);
      expect(readFileSync(join(dir, 'schema.graphql'), 'utf8')).toBe(printSchemaFile({ typePrefix: 'Pace' }));
      expect(readFileSync(join(dir, 'subgraph.graphql'), 'utf8')).toBe(printSubgraphFile({ typePrefix: 'Pace' }));
      expect(readFileSync(join(dir, 'possible-types.json'), 'utf8')).toBe(await printPossibleTypesFile({ typePrefix: 'Pace' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a prefix that is not a GraphQL name', () => {
    const { status, stderr } = run('--type-prefix', 'Pa-ce');
    expect(status).toBe(2);
    expect(stderr).toContain('--type-prefix must be a GraphQL name');
  });
});
