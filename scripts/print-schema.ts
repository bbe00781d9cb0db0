/** Writes schema.graphql from the code; test/schema.unit.test.ts fails when they differ. */
import { writeFileSync } from 'node:fs';
import { printSchemaFile } from '../src/schema/print.js';

writeFileSync(new URL('../schema.graphql', import.meta.url), printSchemaFile());
console.log('wrote schema.graphql');
