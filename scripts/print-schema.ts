/** Writes schema.graphql and subgraph.graphql from the code; test/schema.unit.test.ts fails when they differ. */
import { writeFileSync } from 'node:fs';
import { printSchemaFile, printSubgraphFile } from '../src/schema/print.js';

writeFileSync(new URL('../schema.graphql', import.meta.url), printSchemaFile());
console.log('wrote schema.graphql');
writeFileSync(new URL('../subgraph.graphql', import.meta.url), printSubgraphFile());
console.log('wrote subgraph.graphql');
