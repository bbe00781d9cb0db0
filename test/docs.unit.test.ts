/**
 * Docs are tests: every fenced block in README.md and docs/*.md says in its info string how it is
 * kept true, and this file checks it:
 * - `include=PATH#REGION` (or `include=PATH`): the block is that `#region` of the file (or the whole
 *   file) verbatim; the file is compiled (`npm run typecheck`, also under examples/tsconfig.json's
 *   plain `strict`) and run by the tests that import it.
 * - `excerpt=PATH`: a cut of the file: each of its lines (but `// …` elisions) appears there, in order.
 * - `run=TEST`: a test runs it (test/docs.http.test.ts extracts and runs its own blocks);
 *   `run=TEST (…)` when the test leaves a step out, said in the parentheses.
 * - `output`: what a command or GraphiQL shows, not something to run.
 * - `not-run=REASON`: needs what CI does not have (Docker, Rover, Apollo Router); said in the block.
 * Blocks without a language (plain text) are not code.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../examples/typed-client.js';
import { blocksOf, DOCS, read, type DocBlock } from './helpers/docs.js';

/** `// #region NAME` … `// #endregion NAME` of a source file (`# #region` in shell and YAML). */
function region(source: string, name: string): string | undefined {
  return new RegExp(`^(?://|#) #region ${name}\\n([\\s\\S]*?)\\n(?://|#) #endregion ${name}$`, 'm').exec(source)?.[1];
}

const ALL = DOCS.flatMap((doc) => blocksOf(doc));
const where = (block: DocBlock) => `${block.doc}:${block.line}`;

describe('every fenced block of the docs', () => {
  it('finds the blocks', () => {
    expect(ALL.length).toBeGreaterThan(20);
  });

  it.each(ALL.filter((block) => block.language !== '').map((block) => [where(block), block] as const))('%s says how it is kept true', (_where, block) => {
    expect(['include', 'excerpt', 'run', 'output', 'not-run'], `${where(block)}: \`\`\`${block.language} needs include=, excerpt=, run=, output or not-run=`).toContain(block.label);
    if (block.label === 'include') {
      const [path = '', name] = block.value.split('#');
      const source = read(path);
      expect(name === undefined ? source.replace(/\n$/, '') : region(source, name), `${where(block)} differs from ${block.value}`).toBe(block.body);
    }
    if (block.label === 'excerpt') {
      const source = read(block.value);
      let from = 0;
      for (const line of block.body.split('\n').filter((text) => !/^\s*\/\/ …/.test(text) && text.trim() !== '')) {
        const at = source.indexOf(line, from);
        expect(at, `${where(block)}: "${line.trim()}" is not (any more) in ${block.value}`).toBeGreaterThanOrEqual(0);
        from = at + line.length;
      }
    }
    if (block.label === 'run') {
      // `run=TEST`, or `run=TEST (what it leaves out, and why)`.
      const [test = '', ...note] = block.value.split(' ');
      expect(existsSync(new URL(`../${test}`, import.meta.url)), `${where(block)}: ${test}`).toBe(true);
      if (note.length > 0) expect(note.join(' '), where(block)).toMatch(/^\(.{10,}\)$/);
    }
    if (block.label === 'not-run') expect(block.value.length).toBeGreaterThan(5);
  });
});

describe('examples/typed-client.ts', () => {
  it('knows every retryable code of the README table as retryable', () => {
    const table = read('README.md').split('| `extensions.code` | cause | retry? |')[1]?.split('\n\n')[0] ?? '';
    const codes = [...table.matchAll(/^\| `([A-Z_]+)` \|.*\| yes/gm)].map((match) => match[1]!);
    expect(codes).toContain('AUTH_UNAVAILABLE');
    for (const code of codes) expect(new GatewayError('x', code, undefined, 200).retryable, code).toBe(true);
    expect(new GatewayError('x', 'GRAPHQL_VALIDATION_FAILED', undefined, 400).retryable).toBe(false);
  });
});

describe('the trusted-documents guide', () => {
  it('names the persisted-documents switch the trusted-documents test turns on', () => {
    expect(read('test/trusted-documents.http.test.ts')).toContain('presetConfig: { ...output.presetConfig, persistedDocuments: true }');
    expect(read('docs/clients.md')).toContain('add `persistedDocuments: true` to the client-preset\'s `presetConfig`');
  });
});
