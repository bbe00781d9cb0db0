/** The fenced blocks of the docs (README.md, docs/*.md), for test/docs.*.test.ts. */
import { readdirSync, readFileSync } from 'node:fs';

export const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
export const DOCS = ['README.md', ...readdirSync(new URL('../../docs', import.meta.url)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

export interface DocBlock {
  readonly doc: string;
  readonly line: number;
  readonly language: string;
  readonly label: string;
  readonly value: string;
  readonly body: string;
}

/** Every fenced block of a Markdown file, with its info string split into language and label. */
export function blocksOf(doc: string, text = read(doc)): DocBlock[] {
  return [...text.matchAll(/^```(\w*)(?: (\w[\w-]*)(?:=(.*))?)?\n([\s\S]*?)^```$/gm)].map((match) => ({
    doc,
    line: text.slice(0, match.index).split('\n').length,
    language: match[1] ?? '',
    label: match[2] ?? '',
    value: match[3] ?? '',
    body: (match[4] ?? '').replace(/\n$/, ''),
  }));
}
