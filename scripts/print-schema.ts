/**
 * Writes schema.graphql, subgraph.graphql and possible-types.json from the code;
 * test/schema.unit.test.ts fails when they differ.
 *
 *   npm run print-schema                                   # the three files at the repository root
 *   npm run print-schema -- --type-prefix Pace             # the prefixed subgraph SDL, to stdout
 *   npm run print-schema -- --type-prefix Pace --out-dir d # the three prefixed files into d/
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printPossibleTypesFile, printSchemaFile, printSubgraphFile } from '../src/schema/print.js';

const { values } = parseArgs({ options: { 'type-prefix': { type: 'string' }, 'out-dir': { type: 'string' } } });
const typePrefix = values['type-prefix'];
if (typePrefix !== undefined && !/^[A-Za-z][A-Za-z0-9_]*$/.test(typePrefix)) {
  console.error(`--type-prefix must be a GraphQL name such as Pace, got "${typePrefix}"`);
  process.exit(2);
}
const options = { typePrefix };

if (typePrefix !== undefined && values['out-dir'] === undefined) {
  process.stdout.write(printSubgraphFile(options));
} else {
  const dir = values['out-dir'] ?? new URL('..', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const files = {
    'schema.graphql': printSchemaFile(options),
    'subgraph.graphql': printSubgraphFile(options),
    'possible-types.json': await printPossibleTypesFile(options),
  };
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    console.log(`wrote ${join(dir, name)}`);
  }
}
