/**
 * The house rules of src/, read from the imports (type-only and dynamic ones included): no import
 * goes in a circle, and the lower floors never reach up (the transport and the guard know nothing of
 * observability, the schema, the gateway or the configuration).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const IMPORT = /(?:\bfrom|\bimport\()\s*'(\.{1,2}\/[^']+)'/g;

/** Module -> the modules it imports, as paths relative to src/ (`upstream/client.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const imports = [...text.matchAll(IMPORT)].map((match) => relative(SRC, normalize(join(SRC, dirname(file), match[1]!))).replace(/\.js$/, '.ts'));
    graph.set(file, imports);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]) => {
    for (const next of graph.get(file) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next].join(' -> '));
      else if (!done.has(next)) visit(next, [...path, next]);
    }
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file, [file]);
  return found;
}

describe('the imports of src/', () => {
  const graph = importGraph();

  it('are read (the check is not empty)', () => {
    expect(graph.get('gateway.ts')).toContain('upstream/client.ts');
  });

  it('never go in a circle', () => {
    expect(cycles(graph)).toEqual([]);
    // The check itself finds a circle when there is one.
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual(['a.ts -> b.ts -> a.ts']);
  });

  it.each([
    ['upstream/', ['upstream/', 'errors.ts']],
    ['security/', ['security/', 'errors.ts', 'auth.ts', 'logger.ts', 'observability/throttled-log.ts', 'trusted-documents.ts']],
    ['observability/', ['observability/', 'errors.ts', 'logger.ts', 'request-path.ts', 'upstream/client.ts', 'security/guard-store.ts', 'security/pin-guard.ts']],
    ['errors.ts', []],
  ])('%s imports only from below', (floor, allowed) => {
    const reaching = [...graph]
      .filter(([file]) => file.startsWith(floor))
      .flatMap(([file, imports]) => imports.filter((to) => !allowed.some((ok) => to.startsWith(ok))).map((to) => `${file} -> ${to}`));
    expect(reaching).toEqual([]);
  });
});
