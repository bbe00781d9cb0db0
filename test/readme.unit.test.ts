/**
 * The README's client setup snippets are the configuration the tests run: each `#region` of these
 * files appears in README.md verbatim, as a ```ts block.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const README = read('docs/clients.md'); // the client developers' guide, linked from README.md
const SOURCES = ['codegen.ts', 'examples/apollo-client.ts', 'examples/urql-client.ts', 'examples/graphql-request-client.ts', 'examples/apollo-persisted-queries.ts'];

/** Region name -> its lines, markers excluded. */
function regions(source: string): Map<string, string> {
  return new Map([...source.matchAll(/^\/\/ #region (\S+)\n([\s\S]*?)\n\/\/ #endregion \1$/gm)].map(([, name, body]) => [name ?? '', body ?? '']));
}

describe('README.md client snippets', () => {
  it.each(SOURCES)('%s: every region is in the README as it is', (path) => {
    const found = regions(read(path));
    expect(found.size).toBeGreaterThan(0);
    for (const [name, body] of found) expect(README.includes(`\`\`\`ts\n${body}\n\`\`\``), `${path}#${name}`).toBe(true);
  });

  it('names the persisted-documents switch the trusted-documents test turns on', () => {
    expect(read('test/trusted-documents.http.test.ts')).toContain('presetConfig: { ...output.presetConfig, persistedDocuments: true }');
    expect(README).toContain('add `persistedDocuments: true` to the client-preset\'s `presetConfig`');
  });
});
